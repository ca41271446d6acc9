// Command slackfake runs the fake Slack for trying the bot by hand.
//
// It prints SLACK_API_URL=… ; run the bot against it in another terminal:
//
//	SLACK_APP_TOKEN=xapp-dev SLACK_BOT_TOKEN=xoxb-dev SLACK_API_URL=… go run ./cmd/leadbot
//
// Then type slash commands ("/lead-tip delegation"), "click <action_id>",
// "home", "dm <text>" or "help". Everything the bot posts is printed as it
// arrives.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/slack-go/slack"

	"github.com/leadcoach/leadbot/bot/slackfake"
)

const help = `commands:
  /lead-tip [text]   send a slash command (any /command works)
  click <action_id>  click the latest button with that action_id
  home               open the App Home tab
  dm <text>          send the bot a direct message
  help               show this`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "slackfake:", err)
		os.Exit(1)
	}
}

// run serves the fake Slack until stdin ends or ctx is done.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("slackfake", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	user := fs.String("user", "U0DEV", "user id that types the commands")
	tz := fs.String("tz", "Europe/Berlin", "that user's IANA time zone")
	verbose := fs.Bool("v", false, "log the fake's debug lines")
	if err := fs.Parse(args); err != nil {
		return err
	}

	out := &console{w: stdout}
	opts := slackfake.Options{Addr: *addr, Scopes: slackfake.LeadbotScopes}
	if *verbose {
		opts.Logf = func(format string, a ...any) { fmt.Fprintf(stderr, format+"\n", a...) }
	}
	s, err := slackfake.New(opts)
	if err != nil {
		return err
	}
	defer s.Close()
	s.AddUser(slackfake.User{ID: *user, Name: "dev", TZ: *tz})
	s.AddChannel(slackfake.Channel{ID: slackfake.DefaultChannelID, Name: "general", Members: []string{*user}, BotIsMember: true})

	out.printf("SLACK_API_URL=%s\n", s.APIURL())
	fmt.Fprintf(stderr, "in another terminal:\n  SLACK_APP_TOKEN=xapp-dev SLACK_BOT_TOKEN=xoxb-dev SLACK_API_URL=%s go run ./cmd/leadbot\n%s\n", s.APIURL(), help)

	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	w := &watcher{s: s, out: out, user: *user, clicks: map[string]slackfake.Click{}}
	wg.Go(func() { w.watch(ctx) })

	// Reading stdin cannot be interrupted; this goroutine ends with stdin.
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdin)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case line, ok := <-lines:
			if !ok {
				return nil
			}
			w.handle(ctx, &wg, strings.TrimSpace(line))
		}
	}
}

// console serializes writes from several goroutines.
type console struct {
	mu sync.Mutex
	w  io.Writer
}

func (c *console) printf(format string, a ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintf(c.w, format, a...)
}

// watcher prints what the bot does and remembers its buttons for "click".
type watcher struct {
	s    *slackfake.Server
	out  *console
	user string

	mu     sync.Mutex
	clicks map[string]slackfake.Click // by action_id, latest wins
}

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
		id, err = w.s.SendSlashCommand(ctx, slack.SlashCommand{Command: word, Text: rest, UserID: w.user, UserName: "dev"})
	case word == "click":
		w.mu.Lock()
		c, ok := w.clicks[rest]
		w.mu.Unlock()
		if !ok {
			w.out.printf("no button %q seen yet\n", rest)
			return
		}
		id, err = w.s.ClickButton(ctx, c)
	case word == "home":
		_, _, err = w.s.SendEvent(ctx, map[string]any{"type": "app_home_opened", "user": w.user, "channel": "D" + w.user, "tab": "home"})
	case word == "dm":
		ts := fmt.Sprintf("%d.%06d", time.Now().Unix(), time.Now().Nanosecond()/1000)
		_, _, err = w.s.SendEvent(ctx, map[string]any{"type": "message", "channel": "D" + w.user, "user": w.user, "text": rest, "ts": ts, "channel_type": "im"})
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
	if len(ack.Payload) > 0 {
		var p struct {
			Text   string          `json:"text"`
			Blocks json.RawMessage `json:"blocks"`
		}
		_ = json.Unmarshal(ack.Payload, &p)
		w.show("ack payload", p.Text, p.Blocks, slackfake.Click{ChannelID: slackfake.DefaultChannelID, Ephemeral: true})
	}
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
			label := "response " + p.ResponseType
			switch {
			case p.DeleteOriginal:
				label += " (delete original)"
			case p.ReplaceOriginal:
				label += " (replace original)"
			}
			w.show(label, p.Text, p.Blocks, slackfake.Click{ChannelID: slackfake.DefaultChannelID, Ephemeral: p.ResponseType != "in_channel"})
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
		TS   string `json:"ts"`
		View struct {
			ID     string          `json:"id"`
			Blocks json.RawMessage `json:"blocks"`
		} `json:"view"`
	}
	_ = json.Unmarshal(c.Response, &resp)
	ch := c.Params["channel"]
	blocks := json.RawMessage(c.Params["blocks"])
	switch c.Method {
	case "chat.postMessage":
		w.show("message "+ch, c.Params["text"], blocks, slackfake.Click{ChannelID: ch, MessageTS: resp.TS})
	case "chat.postEphemeral":
		w.show("ephemeral "+ch+" for "+c.Params["user"], c.Params["text"], blocks, slackfake.Click{ChannelID: ch, Ephemeral: true})
	case "chat.update":
		w.show("update "+ch+" "+c.Params["ts"], c.Params["text"], blocks, slackfake.Click{ChannelID: ch, MessageTS: c.Params["ts"]})
	case "views.publish", "views.open", "views.update":
		w.show(c.Method, "", resp.View.Blocks, slackfake.Click{ViewID: resp.View.ID})
	case "apps.connections.open":
		w.out.printf("· bot connected\n")
	default:
		w.out.printf("· %s\n", c.Method)
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
