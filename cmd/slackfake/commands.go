package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/leadcoach/leadbot/bot/slackfake"
)

// tsLike is a Slack message timestamp, as "reply" takes it.
var tsLike = regexp.MustCompile(`^\d{9,}\.\d{6}$`)

// watcher prints what the bot does, and remembers what the console's
// commands need: its buttons for "click", the channel of each command's
// response_url, and the latest form it opened, for "submit".
type watcher struct {
	s    *slackfake.Server
	out  *console
	user string

	mu        sync.Mutex
	clicks    map[string]slackfake.Click // by action_id, latest wins
	responses map[string]string          // response_url path → channel
	modal     json.RawMessage            // the latest view opened with views.open
}

func newWatcher(s *slackfake.Server, out *console, user string) *watcher {
	return &watcher{s: s, out: out, user: user, clicks: map[string]slackfake.Click{}, responses: map[string]string{}}
}

// handle runs one line typed on the console. What the bot answers is
// printed by watch; acknowledgements are printed as they come.
func (w *watcher) handle(ctx context.Context, wg *sync.WaitGroup, line string) {
	word, rest, _ := strings.Cut(line, " ")
	rest = strings.TrimSpace(rest)
	var (
		id  string
		err error
	)
	switch {
	case line == "":
		return
	case strings.HasPrefix(word, "/"):
		id, err = w.slash(ctx, slackfake.DefaultChannelID, word, rest)
	case word == "in":
		id, err = w.in(ctx, rest)
	case word == "click":
		w.mu.Lock()
		c, ok := w.clicks[rest]
		w.mu.Unlock()
		if !ok {
			w.out.printf("no button %q seen yet\n", rest)
			return
		}
		id, err = w.s.ClickButton(ctx, c)
	case word == "reply":
		err = w.reply(ctx, rest)
	case word == "submit":
		id, err = w.submit(ctx, strings.Fields(rest))
	case word == "file":
		err = w.showFile(rest)
	case word == "home":
		_, _, err = w.s.SendEvent(ctx, map[string]any{"type": "app_home_opened", "user": w.user, "channel": "D" + w.user, "tab": "home"})
	case word == "dm":
		_, _, err = w.s.SendEvent(ctx, map[string]any{"type": "message", "channel": "D" + w.user, "user": w.user, "text": rest, "ts": newTS(), "channel_type": "im"})
	default:
		w.out.printf("%s\n", help)
		return
	}
	if err != nil {
		w.out.printf("! %v\n", err)
		return
	}
	if id != "" {
		wg.Go(func() { w.printAck(ctx, id) })
	}
}

// slash sends the slash command in channel, remembering where its
// response_url answers go.
func (w *watcher) slash(ctx context.Context, channel, command, text string) (string, error) {
	responseURL := w.s.NewResponseURL()
	if u, err := url.Parse(responseURL); err == nil {
		w.mu.Lock()
		w.responses[u.Path] = channel
		w.mu.Unlock()
	}
	return w.s.SendSlashCommand(ctx, slack.SlashCommand{Command: command, Text: text, ChannelID: channel, UserID: w.user, ResponseURL: responseURL})
}

// in runs "in #channel /command text": the channel is created on first use
// (C0 and its name's letters and digits in capitals, as #general is
// C0GENERAL), with the user
// and the bot as members.
func (w *watcher) in(ctx context.Context, rest string) (string, error) {
	name, cmd, _ := strings.Cut(rest, " ")
	name = strings.ToLower(strings.TrimPrefix(name, "#"))
	command, text, _ := strings.Cut(strings.TrimSpace(cmd), " ")
	if name == "" || !strings.HasPrefix(command, "/") {
		return "", errors.New("usage: in #channel /lead-tip [text]")
	}
	// Slack's channel ids are capitals and digits: #team-leads is C0TEAMLEADS.
	id := "C0" + strings.ToUpper(strings.Map(func(r rune) rune {
		if ('a' <= r && r <= 'z') || ('0' <= r && r <= '9') {
			return r
		}
		return -1
	}, name))
	if id == "C0" {
		return "", errors.New("usage: in #channel /lead-tip [text] (a channel name has letters or digits)")
	}
	w.s.AddChannel(slackfake.Channel{ID: id, Name: name, Members: []string{w.user}, BotIsMember: true})
	return w.slash(ctx, id, command, strings.TrimSpace(text))
}

// reply sends "reply [ts] text": a message from the user in the thread of
// the bot's message at ts, or of its latest message.
func (w *watcher) reply(ctx context.Context, rest string) error {
	first, text, _ := strings.Cut(rest, " ")
	var ts string
	if tsLike.MatchString(first) {
		ts, rest = first, strings.TrimSpace(text)
	}
	if rest == "" {
		return errors.New("usage: reply [ts] <text>")
	}
	msgs := w.s.Messages("")
	slices.SortStableFunc(msgs, func(a, b slackfake.Message) int { return a.At.Compare(b.At) })
	var parent *slackfake.Message
	for i := len(msgs) - 1; i >= 0 && parent == nil; i-- {
		if m := msgs[i]; !m.Deleted && ((ts == "" && m.ThreadTS == "") || m.TS == ts) {
			parent = &msgs[i]
		}
	}
	if parent == nil {
		if ts != "" {
			return fmt.Errorf("no message at %s", ts)
		}
		return errors.New("no message from the bot to reply to yet")
	}
	thread := parent.TS
	if parent.ThreadTS != "" {
		thread = parent.ThreadTS // a reply to a reply stays in its thread
	}
	_, _, err := w.s.SendEvent(ctx, map[string]any{"type": "message", "channel": parent.Channel, "user": w.user, "text": rest,
		"ts": newTS(), "thread_ts": thread, "channel_type": channelType(parent.Channel)})
	if err == nil {
		w.out.printf("· replied in the thread of %s in %s\n", thread, parent.Channel)
	}
	return err
}

// submit sends the latest form the bot opened, filled in from words.
func (w *watcher) submit(ctx context.Context, words []string) (string, error) {
	w.mu.Lock()
	view := w.modal
	w.mu.Unlock()
	if view == nil {
		return "", errors.New("no form opened yet (the Home tab's Change schedule button opens one)")
	}
	values, err := fillForm(view, words)
	if err != nil {
		return "", err
	}
	return w.s.SubmitView(ctx, w.user, view, values)
}

// showFile prints the file with id, or the latest one uploaded.
func (w *watcher) showFile(id string) error {
	files := w.s.Files()
	for i := len(files) - 1; i >= 0; i-- {
		if f := files[i]; f.Uploaded && (id == "" || f.ID == id) {
			w.out.printf("[file %s %s, %d bytes]\n%s\n", f.ID, f.Name, len(f.Content), strings.TrimRight(string(f.Content), "\n"))
			return nil
		}
	}
	if id != "" {
		return fmt.Errorf("no file %s", id)
	}
	return errors.New("no file uploaded yet (/lead-tip export sends one)")
}

// channelType is the channel_type Slack gives a message event in channel.
func channelType(channel string) string {
	switch {
	case strings.HasPrefix(channel, "D"):
		return "im"
	case strings.HasPrefix(channel, "G"):
		return "mpim"
	}
	return "channel"
}

// newTS is a message timestamp for now.
func newTS() string {
	now := time.Now()
	return fmt.Sprintf("%d.%06d", now.Unix(), now.Nanosecond()/1000)
}
