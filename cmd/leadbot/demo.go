package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/leadcoach/leadbot/bot"
	"github.com/leadcoach/leadbot/bot/slackfake"
	"github.com/leadcoach/leadbot/prompts"
	"github.com/leadcoach/leadbot/storage"
)

// The demo's cast: one new manager and two people on her team.
const (
	demoManager = "U0MAYA"
	demoLeo     = "U0LEO"
	demoZoe     = "U0ZOE"
	demoChannel = "C0TEAM"
	demoTZ      = "Europe/Berlin"
)

var demoNames = map[string]string{demoManager: "Maya", demoLeo: "Leo", demoZoe: "Zoe"}

// demoClock is the demo's accelerated time: the script moves it on; the
// bot and its database read it.
type demoClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *demoClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *demoClock) set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

// demoCommand plays a scripted week of Lead Coach against the project's
// fake Slack, in process, on an accelerated clock, and prints the
// conversation. Everything the bot does goes through its real code paths;
// only the people are scripted.
func demoCommand(ctx context.Context, stdout io.Writer) error {
	loc, err := time.LoadLocation(demoTZ)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "leadbot-demo-")
	if err != nil {
		return err
	}
	dbPath := filepath.Join(dir, "leadbot.db")
	clock := &demoClock{now: time.Date(2026, 11, 23, 8, 50, 0, 0, loc)}

	fake, err := slackfake.New(slackfake.Options{PingInterval: time.Second})
	if err != nil {
		return err
	}
	defer fake.Close()
	for id, name := range demoNames {
		fake.AddUser(slackfake.User{ID: id, Name: strings.ToLower(name), RealName: name, TZ: demoTZ})
	}
	fake.AddChannel(slackfake.Channel{ID: demoChannel, Name: "team", Members: []string{demoManager, demoLeo, demoZoe}, BotIsMember: true})

	db, err := storage.Open(ctx, dbPath, storage.WithClock(clock.Now))
	if err != nil {
		return err
	}
	defer db.Close()
	lib, err := prompts.Load()
	if err != nil {
		return err
	}
	api := slack.New("xoxb-demo", slack.OptionAppLevelToken("xapp-demo"), slack.OptionAPIURL(fake.APIURL()))
	b, err := bot.New(bot.Config{
		Socket: socketmode.New(api), API: api, Store: db, Library: lib,
		Logger: slog.New(slog.DiscardHandler), Now: clock.Now,
		SchedulerTick: 10 * time.Millisecond, SendRate: 1000,
	})
	if err != nil {
		return err
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- b.Run(runCtx) }()
	defer func() { stop(); <-done }()
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := fake.WaitConnected(wctx, 1); err != nil {
		return fmt.Errorf("demo: the bot did not connect: %w", err)
	}

	d := &demo{fake: fake, clock: clock, loc: loc, out: stdout}
	fmt.Fprintln(stdout, "Lead Coach demo: one week for Maya, a new engineering manager, and her team channel #team.")
	fmt.Fprintln(stdout, "The bot runs for real against a fake Slack on this machine; the clock runs fast.")
	if err := d.play(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nThat was the week. Everything above is stored in %s\n", dbPath)
	fmt.Fprintln(stdout, "(look inside with: sqlite3 "+dbPath+" '.tables')")
	return nil
}

// demo is the script's state: what has been printed so far.
type demo struct {
	fake      *slackfake.Server
	clock     *demoClock
	loc       *time.Location
	out       io.Writer
	msgs      int
	responses int
	files     int
	updates   int
	seq       int
}

// play is the scripted week.
func (d *demo) play(ctx context.Context) error {
	at := func(day, hour, min int) time.Time { return time.Date(2026, 11, day, hour, min, 0, 0, d.loc) }
	steps := []struct {
		when time.Time
		do   func() error
	}{
		{at(23, 8, 50), func() error { return d.slash(ctx, demoManager, demoManager, "start") }},
		{at(23, 9, 30), func() error { return d.waitNudges(1) }},
		{at(23, 9, 45), func() error {
			return d.reply(ctx, demoManager, d.nudge(0), "I handed the release checklist to Leo and only reviewed the plan. Hard to keep my hands off!")
		}},
		{at(23, 9, 50), func() error { return d.press(ctx, demoManager, d.nudge(0), "nudge_done") }},
		{at(23, 10, 0), func() error { return d.slash(ctx, demoManager, demoManager, "my team misses deadlines") }},
		{at(23, 10, 5), func() error { return d.slash(ctx, demoManager, demoChannel, "weekly fri 15:00") }},
		{at(25, 9, 30), func() error { return d.waitNudges(2) }},
		{at(25, 9, 40), func() error { return d.press(ctx, demoManager, d.nudge(1), "nudge_not_yet") }},
		{at(27, 9, 30), func() error { return d.waitNudges(3) }},
		{at(27, 9, 41), func() error { return d.waitNudges(4) }}, // the "Not yet" from Wednesday comes back
		{at(27, 11, 0), func() error { return d.press(ctx, demoManager, d.nudge(3), "nudge_done") }},
		{at(27, 11, 5), func() error { return d.press(ctx, demoManager, d.nudge(2), "nudge_skip") }},
		{at(27, 15, 0), func() error { return d.waitChannel(1) }},
		{at(27, 15, 20), func() error {
			return d.reply(ctx, demoLeo, d.teamPrompt(), "Zoe untangled the flaky deploy test. Saved us hours!")
		}},
		{at(27, 15, 25), func() error {
			return d.reply(ctx, demoZoe, d.teamPrompt(), "Leo's review of my first PR here was kind and really useful.")
		}},
		{at(27, 16, 0), func() error { return d.waitFiles(1) }},
	}
	day := -1
	for _, s := range steps {
		if s.when.Day() != day {
			day = s.when.Day()
			fmt.Fprintf(d.out, "\n=== %s ===\n", s.when.Format("Monday 2 January 2006"))
		}
		d.clock.set(s.when)
		if err := s.do(); err != nil {
			return err
		}
		d.settle()
	}
	return nil
}

// settle waits until the bot has been quiet for a moment, then prints what
// it said.
func (d *demo) settle() {
	last, quiet := d.count(), 0
	for quiet < 8 {
		time.Sleep(15 * time.Millisecond)
		if n := d.count(); n != last {
			last, quiet = n, 0
		} else {
			quiet++
		}
	}
	d.flush()
}

func (d *demo) count() int {
	return len(d.fake.Messages("")) + len(d.fake.ResponsePosts()) + len(d.fake.Files()) + len(d.fake.Calls("chat.update"))
}

// waitFor polls until cond holds, for at most five seconds.
func waitUntil(what string, cond func() bool) error {
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			return fmt.Errorf("demo: timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return nil
}

func (d *demo) nudges() []slackfake.Message {
	var out []slackfake.Message
	for _, m := range d.fake.Messages("D" + demoManager) {
		if m.ThreadTS == "" && strings.HasPrefix(m.Text, "Your challenge") {
			out = append(out, m)
		}
	}
	return out
}

func (d *demo) nudge(i int) slackfake.Message {
	ns := d.nudges()
	if i < len(ns) {
		return ns[i]
	}
	return slackfake.Message{}
}

func (d *demo) waitNudges(n int) error {
	return waitUntil(fmt.Sprintf("nudge %d", n), func() bool { return len(d.nudges()) >= n })
}

func (d *demo) teamPrompt() slackfake.Message {
	for _, m := range d.fake.Messages(demoChannel) {
		if m.ThreadTS == "" {
			return m
		}
	}
	return slackfake.Message{}
}

func (d *demo) waitChannel(n int) error {
	return waitUntil("the weekly team prompt", func() bool { return d.teamPrompt().TS != "" })
}

func (d *demo) waitFiles(n int) error {
	return waitUntil("the weekly summary", func() bool { return len(d.fake.Files()) >= n })
}

// slash types "/lead-tip text" as user in channel and waits for the answer.
func (d *demo) slash(ctx context.Context, user, channel, text string) error {
	if channel == user {
		channel = "D" + user
	}
	d.say(user, channel, "", "/lead-tip "+text)
	url := d.fake.NewResponseURL()
	id, err := d.fake.SendSlashCommand(ctx, slack.SlashCommand{UserID: user, ChannelID: channel, Text: text, ResponseURL: url})
	if err != nil {
		return err
	}
	if _, err := d.fake.WaitAck(ctx, id); err != nil {
		return err
	}
	return waitUntil("the answer to /lead-tip "+text, func() bool {
		for _, p := range d.fake.ResponsePosts() {
			if strings.HasSuffix(url, p.Path) {
				return true
			}
		}
		return false
	})
}

// reply writes text in the thread of m as user.
func (d *demo) reply(ctx context.Context, user string, m slackfake.Message, text string) error {
	if m.TS == "" {
		return errors.New("demo: nothing to reply to")
	}
	d.flush()
	d.say(user, m.Channel, m.TS, text)
	d.seq++
	ts := fmt.Sprintf("%d.%06d", d.clock.Now().Unix(), d.seq)
	typ := "channel"
	if strings.HasPrefix(m.Channel, "D") {
		typ = "im"
	}
	ev := map[string]any{"type": "message", "channel": m.Channel, "user": user, "text": text, "ts": ts, "thread_ts": m.TS, "channel_type": typ}
	id, err := d.fake.SendEventWithID(ctx, ev, fmt.Sprintf("EvDEMO%03d", d.seq))
	if err != nil {
		return err
	}
	_, err = d.fake.WaitAck(ctx, id)
	return err
}

// press clicks button action on message m as user.
func (d *demo) press(ctx context.Context, user string, m slackfake.Message, action string) error {
	d.flush()
	var label string
	for _, b := range slackfake.Buttons(m.Blocks) {
		if b.ActionID == action {
			label = b.Text
		}
	}
	fmt.Fprintf(d.out, "  %s presses [%s] on %q\n", demoNames[user], label, strings.TrimPrefix(m.Text, "Your challenge this week: "))
	updates := len(d.fake.Calls("chat.update"))
	id, err := d.fake.ClickButton(ctx, slackfake.Click{UserID: user, ActionID: action, Blocks: m.Blocks, ChannelID: m.Channel, MessageTS: m.TS})
	if err != nil {
		return err
	}
	if _, err := d.fake.WaitAck(ctx, id); err != nil {
		return err
	}
	return waitUntil("the message update", func() bool { return len(d.fake.Calls("chat.update")) > updates })
}

func (d *demo) where(channel, threadTS string) string {
	place := "#team"
	if strings.HasPrefix(channel, "D") {
		place = "DM"
	}
	if threadTS != "" {
		place += ", in the thread"
	}
	return place
}

func (d *demo) say(user, channel, threadTS, text string) {
	fmt.Fprintf(d.out, "%s  %s (%s): %s\n", d.clock.Now().Format("15:04"), demoNames[user], d.where(channel, threadTS), text)
}

// flush prints everything the bot said since the last flush.
func (d *demo) flush() {
	msgs := d.fake.Messages("")
	for _, m := range msgs[min(d.msgs, len(msgs)):] {
		who := "only Maya sees it"
		if m.Channel == demoChannel {
			who = "everyone in #team"
		}
		fmt.Fprintf(d.out, "%s  Lead Coach (%s, %s):\n", d.clock.Now().Format("15:04"), d.where(m.Channel, m.ThreadTS), who)
		d.block(m.Text, m.Blocks)
	}
	d.msgs = len(msgs)
	posts := d.fake.ResponsePosts()
	for _, p := range posts[min(d.responses, len(posts)):] {
		fmt.Fprintln(d.out, "       Lead Coach (only the asker sees it):")
		d.block(p.Text, p.Blocks)
	}
	d.responses = len(posts)
	files := d.fake.Files()
	for _, f := range files[min(d.files, len(files)):] {
		fmt.Fprintf(d.out, "       Lead Coach uploads %s (%s, %d KB): %s\n", f.Name, d.where(f.Channel, ""), len(f.Content)/1024, f.Title)
	}
	d.files = len(files)
	updates := d.fake.Calls("chat.update")
	for _, c := range updates[min(d.updates, len(updates)):] {
		var blocks json.RawMessage
		if b := c.Params["blocks"]; b != "" {
			blocks = json.RawMessage(b)
		}
		text := slackfake.VisibleText("", blocks)
		lines := strings.Split(strings.TrimSpace(text), "\n")
		fmt.Fprintf(d.out, "       Lead Coach updates the nudge: %s\n", lines[len(lines)-1])
		d.updates++
	}
}

// block prints a message's visible text, indented, with its buttons.
func (d *demo) block(text string, blocks json.RawMessage) {
	body := text
	if len(blocks) > 0 {
		body = slackfake.VisibleText("", blocks)
	}
	var buttons []string
	labels := map[string]bool{}
	for _, b := range slackfake.Buttons(blocks) {
		buttons = append(buttons, "["+b.Text+"]")
		labels[b.Text] = true
	}
	for _, line := range strings.Split(strings.TrimSpace(body), "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !labels[line] {
			fmt.Fprintf(d.out, "         %s\n", line)
		}
	}
	if len(buttons) > 0 {
		fmt.Fprintf(d.out, "         %s\n", strings.Join(buttons, " "))
	}
}
