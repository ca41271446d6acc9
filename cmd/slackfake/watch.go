package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/leadcoach/leadbot/bot/slackfake"
)

func (w *watcher) printAck(ctx context.Context, id string) {
	waitCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	ack, err := w.s.WaitAck(waitCtx, id)
	if err != nil {
		if ctx.Err() == nil && !errors.Is(err, slackfake.ErrClosed) {
			w.out.printf("! no ack: %v\n", err)
		}
		return
	}
	w.out.printf("ack after %v (attempt %d)\n", ack.Latency.Round(time.Microsecond), ack.Attempt)
	if len(ack.Payload) == 0 {
		return
	}
	var p struct {
		Text   string            `json:"text"`
		Blocks json.RawMessage   `json:"blocks"`
		Errors map[string]string `json:"errors"` // a form refused: what to fix, by block
	}
	_ = json.Unmarshal(ack.Payload, &p)
	if len(p.Errors) > 0 {
		var b strings.Builder
		b.WriteString("[form not accepted]\n")
		for _, block := range slices.Sorted(maps.Keys(p.Errors)) {
			fmt.Fprintf(&b, "  %s: %s\n", block, p.Errors[block])
		}
		w.out.printf("%s", b.String())
		return
	}
	w.show("ack payload", p.Text, p.Blocks, slackfake.Click{ChannelID: slackfake.DefaultChannelID, Ephemeral: true})
}

// watch prints every Web API call and response_url post as it arrives.
func (w *watcher) watch(ctx context.Context) {
	var nCalls, nPosts int
	for {
		changed := w.s.Changed()
		calls := w.s.Calls("")
		for _, c := range calls[nCalls:] {
			w.printCall(c)
		}
		nCalls = len(calls)
		posts := w.s.ResponsePosts()
		for _, p := range posts[nPosts:] {
			w.mu.Lock()
			channel, ok := w.responses[p.Path]
			w.mu.Unlock()
			if !ok {
				channel = slackfake.DefaultChannelID
			}
			label := "response " + p.ResponseType + " in " + channel
			switch {
			case p.DeleteOriginal:
				label += " (delete original)"
			case p.ReplaceOriginal:
				label += " (replace original)"
			}
			w.show(label, p.Text, p.Blocks, slackfake.Click{ChannelID: channel, Ephemeral: p.ResponseType != "in_channel"})
		}
		nPosts = len(posts)
		select {
		case <-changed:
		case <-ctx.Done():
			return
		}
	}
}

func (w *watcher) printCall(c slackfake.Call) {
	if c.SlackError != "" {
		w.out.printf("! %s %s: %s\n", c.Method, c.Params["channel"], c.SlackError)
		return
	}
	var resp struct {
		TS   string          `json:"ts"`
		View json.RawMessage `json:"view"`
	}
	_ = json.Unmarshal(c.Response, &resp)
	var view struct {
		ID     string          `json:"id"`
		Blocks json.RawMessage `json:"blocks"`
	}
	_ = json.Unmarshal(resp.View, &view)
	ch := c.Params["channel"]
	blocks := json.RawMessage(c.Params["blocks"])
	switch c.Method {
	case "chat.postMessage":
		label := "message " + ch + " " + resp.TS
		if thread := c.Params["thread_ts"]; thread != "" {
			label += " in the thread of " + thread
		}
		w.show(label, c.Params["text"], blocks, slackfake.Click{ChannelID: ch, MessageTS: resp.TS})
	case "chat.postEphemeral":
		w.show("ephemeral "+ch+" for "+c.Params["user"], c.Params["text"], blocks, slackfake.Click{ChannelID: ch, Ephemeral: true})
	case "chat.update":
		w.show("update "+ch+" "+c.Params["ts"], c.Params["text"], blocks, slackfake.Click{ChannelID: ch, MessageTS: c.Params["ts"]})
	case "views.open":
		w.mu.Lock()
		w.modal = resp.View
		w.mu.Unlock()
		w.show(c.Method+"  → submit [words]", "", view.Blocks, slackfake.Click{ViewID: view.ID})
	case "views.publish", "views.update":
		w.show(c.Method, "", view.Blocks, slackfake.Click{ViewID: view.ID})
	case "files.completeUploadExternal":
		w.printFiles(c)
	case "apps.connections.open":
		w.out.printf("· bot connected\n")
	default:
		w.out.printf("· %s\n", c.Method)
	}
}

// printFiles announces the files an upload completed, and how to see them.
func (w *watcher) printFiles(c slackfake.Call) {
	var list []struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal([]byte(c.Params["files"]), &list)
	for _, item := range list {
		for _, f := range w.s.Files() {
			if f.ID != item.ID {
				continue
			}
			w.out.printf("[file %s in %s: %s, %d bytes]  → file %s\n", f.ID, f.Channel, f.Name, len(f.Content), f.ID)
			if f.InitialComment != "" {
				w.out.printf("  %s\n", f.InitialComment)
			}
		}
	}
}

// show prints what a message shows (its blocks, or its text when it has
// none) and its buttons, and remembers the buttons for "click".
func (w *watcher) show(label, text string, blocks json.RawMessage, where slackfake.Click) {
	buttons := slackfake.Buttons(blocks)
	var b strings.Builder
	fmt.Fprintf(&b, "[%s]\n", label)
	visible := text
	if len(blocks) > 0 {
		visible = slackfake.VisibleText("", blocks)
	}
	for l := range strings.SplitSeq(visible, "\n") {
		if l != "" && !slices.ContainsFunc(buttons, func(btn slackfake.Button) bool { return btn.Text == l }) {
			fmt.Fprintf(&b, "  %s\n", l)
		}
	}
	w.mu.Lock()
	for _, btn := range buttons {
		fmt.Fprintf(&b, "  [%s]  → click %s\n", btn.Text, btn.ActionID)
		c := where
		c.UserID = w.user
		c.ActionID = btn.ActionID
		c.Blocks = blocks
		w.clicks[btn.ActionID] = c
	}
	w.mu.Unlock()
	w.out.printf("%s", b.String())
}
