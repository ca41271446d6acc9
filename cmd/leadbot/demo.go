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
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/leadcoach/leadbot/bot"
	"github.com/leadcoach/leadbot/bot/calendar"
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

// demoWait bounds each wait for the bot; generous, for slow or busy
// machines (and the race detector): a healthy run waits milliseconds.
const demoWait = 20 * time.Second

// demoCommand plays a scripted week of Lead Coach against the project's
// fake Slack, in process, on an accelerated clock, and prints the
// conversation. Everything the bot does goes through its real code paths;
// only the people are scripted. The database and the bot's log stay in a
// new temporary directory, named at the end.
func demoCommand(ctx context.Context, stdout io.Writer) error {
	loc, err := time.LoadLocation(demoTZ)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "leadbot-demo-")
	if err != nil {
		return err
	}
	// Kept for the reader; an interrupted demo removes it, after the
	// database and the log are closed (this runs last).
	interrupted := false
	defer func() {
		if interrupted {
			os.RemoveAll(dir)
		}
	}()
	dbPath := filepath.Join(dir, "leadbot.db")
	logPath := filepath.Join(dir, "leadbot.log")
	logFile, err := os.OpenFile(logPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer logFile.Close()
	clock := slackfake.NewClock(time.Date(2026, 11, 23, 8, 50, 0, 0, loc))

	fake, err := slackfake.New(slackfake.Options{PingInterval: time.Second})
	if err != nil {
		return err
	}
	defer fake.Close()
	for id, name := range demoNames {
		fake.AddUser(slackfake.User{ID: id, Name: strings.ToLower(name), RealName: name, TZ: demoTZ})
	}
	fake.AddChannel(slackfake.Channel{ID: demoChannel, Name: "team", Members: []string{demoManager, demoLeo, demoZoe}, BotIsMember: true})

	db, err := storage.Open(ctx, dbPath, storage.WithClock(clock.Now), storage.WithWeeks(calendar.WeekKey))
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
		Logger: newLogger(config{logFormat: "text", logLevel: slog.LevelInfo}, logFile), Now: clock.Now,
		SchedulerTick: 10 * time.Millisecond, SendRate: 1000,
	})
	if err != nil {
		return err
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- b.Run(runCtx) }()
	defer func() { stop(); <-done }()
	wctx, cancel := context.WithTimeout(ctx, demoWait)
	defer cancel()
	if err := fake.WaitConnected(wctx, 1); err != nil {
		return fmt.Errorf("demo: the bot did not connect: %w", err)
	}

	d := &demo{fake: fake, clock: clock, loc: loc, out: stdout, answered: map[string]bool{}}
	fmt.Fprint(stdout, `Lead Coach demo: a week of the bot and a look back a month on, in seconds.

Maya has just become an engineering manager. Leo and Zoe are on her team,
which talks in the channel #team. The real bot runs here against a fake
Slack, on a clock that runs fast: every answer below comes from the bot's
own code; only the people are scripted. [Like this] is a button, and "to
Maya only" is an answer only she can see.
`)
	if err := d.play(ctx); err != nil {
		if interrupted = ctx.Err() != nil; interrupted {
			return err
		}
		return fmt.Errorf("%w (the bot's log: %s)", err, logPath)
	}
	fmt.Fprintf(stdout, `
That was the demo. Lead Coach's database and log are kept for you to look at:
  database: %s
            (try: sqlite3 %s .tables)
  log:      %s
`, dbPath, dbPath, logPath)
	return nil
}

// demo is the script's state: what has been printed so far.
type demo struct {
	fake      *slackfake.Server
	clock     *slackfake.Clock
	loc       *time.Location
	out       io.Writer
	asker     string // who typed the last command: its answers are for them only
	msgs      int
	responses int
	files     int
	updates   int
	seq       int
	answered  map[string]bool // nudges answered unseen (skip), by ts
}

// play is the scripted week.
func (d *demo) play(ctx context.Context) error {
	at := func(day, hour, min int) time.Time { return time.Date(2026, 11, day, hour, min, 0, 0, d.loc) }
	dec := func(day, hour, min int) time.Time { return time.Date(2026, 12, day, hour, min, 0, 0, d.loc) }
	steps := []struct {
		when time.Time
		do   func() error
	}{
		{at(23, 8, 50), func() error { return d.slash(ctx, demoManager, demoManager, "start") }},
		{at(23, 9, 30), func() error { return d.waitNudges(ctx, 1) }},
		{at(23, 9, 45), func() error {
			return d.reply(ctx, demoManager, d.nudge(0), "Asked Leo how he was after his on-call week. Worn out by pager noise: we agreed to fix the two loudest alerts first.")
		}},
		{at(23, 9, 50), func() error { return d.press(ctx, demoManager, d.nudge(0), "nudge_done") }},
		{at(23, 10, 0), func() error { return d.slash(ctx, demoManager, demoManager, "my team misses deadlines") }},
		{at(23, 10, 5), func() error { return d.slash(ctx, demoManager, demoChannel, "weekly fri 15:00") }},
		{at(25, 9, 30), func() error { return d.waitNudges(ctx, 2) }},
		{at(25, 9, 40), func() error { return d.press(ctx, demoManager, d.nudge(1), "nudge_not_yet") }},
		// Friday's nudge, then Wednesday's "Not yet" back, three hours apart.
		{at(27, 9, 30), func() error { return d.waitNudges(ctx, 3) }},
		{at(27, 11, 5), func() error { return d.press(ctx, demoManager, d.nudge(2), "nudge_skip") }},
		{at(27, 12, 30), func() error { return d.waitNudges(ctx, 4) }},
		{at(27, 13, 0), func() error { return d.press(ctx, demoManager, d.nudge(3), "nudge_done") }},
		{at(27, 15, 0), func() error { return d.waitTeamPrompt(ctx) }},
		{at(27, 15, 20), func() error {
			return d.reply(ctx, demoLeo, d.teamPrompt(), "Zoe untangled the flaky deploy test. Saved us hours!")
		}},
		{at(27, 15, 25), func() error {
			if err := d.reply(ctx, demoZoe, d.teamPrompt(), "Leo's review of my first PR here was kind and really useful."); err != nil {
				return err
			}
			d.note("Lead Coach keeps both replies and stays out of the team's thread; next week's post opens with how many answered.")
			return nil
		}},
		{at(27, 16, 0), func() error { return d.waitFiles(ctx, 1) }},
		// Three weeks on, played but not shown; then a reflection comes back.
		{dec(23, 9, 0), func() error {
			return d.skip(ctx, at(27, 16, 0), dec(23, 9, 0))
		}},
		{dec(23, 9, 30), func() error { return d.waitLookBack(ctx) }},
		{dec(23, 9, 40), func() error {
			return d.reply(ctx, demoManager, d.lookBack(), "Both alerts are gone and Leo sleeps through on-call now. I start every 1:1 with how they are doing.")
		}},
	}
	day := -1
	for _, s := range steps {
		if s.when.Day() != day {
			day = s.when.Day()
			fmt.Fprintf(d.out, "\n── %s ──\n\n", s.when.Format("Monday 2 January"))
		}
		d.clock.Set(s.when)
		if err := s.do(); err != nil {
			return err
		}
		d.settle()
	}
	return nil
}

// settle waits until the bot has been quiet for a moment, then prints what
// it said. Each step has waited for the bot's answer already; this catches
// what comes with it (a follow-up post, a file after its message).
func (d *demo) settle() {
	d.quiet()
	d.flush()
}

func (d *demo) count() int {
	return len(d.fake.Messages("")) + len(d.fake.ResponsePosts()) + len(d.fake.Files()) + len(d.fake.Calls("chat.update"))
}

// waitUntil polls until cond holds, for at most demoWait, or until ctx is
// done.
func waitUntil(ctx context.Context, what string, cond func() bool) error {
	deadline := time.Now().Add(demoWait)
	for !cond() {
		if err := ctx.Err(); err != nil {
			return err
		}
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
		if m.ThreadTS == "" && strings.HasPrefix(m.Text, "New challenge") {
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

func (d *demo) waitNudges(ctx context.Context, n int) error {
	return waitUntil(ctx, fmt.Sprintf("nudge %d", n), func() bool { return len(d.nudges()) >= n })
}

func (d *demo) teamPrompt() slackfake.Message {
	for _, m := range d.fake.Messages(demoChannel) {
		if m.ThreadTS == "" {
			return m
		}
	}
	return slackfake.Message{}
}

func (d *demo) waitTeamPrompt(ctx context.Context) error {
	return waitUntil(ctx, "the weekly team prompt", func() bool { return d.teamPrompt().TS != "" })
}

// lookBack is the look-back in Maya's DM, if one came.
func (d *demo) lookBack() slackfake.Message {
	for _, m := range d.fake.Messages("D" + demoManager) {
		if m.ThreadTS == "" && strings.HasPrefix(m.Text, "Looking back") {
			return m
		}
	}
	return slackfake.Message{}
}

func (d *demo) waitLookBack(ctx context.Context) error {
	return waitUntil(ctx, "the look-back", func() bool { return d.lookBack().TS != "" })
}

// skip plays the time from after to before on the bot, stopping at every
// slot of the demo's schedules (the nudges at 09:30 on Monday, Wednesday
// and Friday; the team's question at 15:00 and the summary at 16:00 on
// Friday), and prints only what happened, counted: the bot does all it
// would, unseen.
func (d *demo) skip(ctx context.Context, after, before time.Time) error {
	d.flush()
	count := func() (nudges, questions, summaries int) {
		nudges = len(d.nudges())
		for _, m := range d.fake.Messages(demoChannel) {
			if m.ThreadTS == "" {
				questions++
			}
		}
		for _, m := range d.fake.Messages("D" + demoManager) {
			if strings.HasPrefix(m.Text, "Your week with Lead Coach") {
				summaries++
			}
		}
		return
	}
	n0, q0, s0 := count()
	defer func() {
		n, q, s := count()
		d.discard()
		d.note(fmt.Sprintf("%d weeks go by, played but not shown: %d nudges, which Maya marks Done or Skip, %d team questions and %d Friday summaries.",
			int(before.Sub(after).Hours()/24/7), n-n0, q-q0, s-s0))
	}()
	for day := after; day.Before(before); day = day.AddDate(0, 0, 1) {
		var times []int
		switch day.Weekday() {
		case time.Monday, time.Wednesday:
			times = []int{9*60 + 30}
		case time.Friday:
			times = []int{9*60 + 30, 15 * 60, 16 * 60}
		}
		for _, m := range times {
			t := time.Date(day.Year(), day.Month(), day.Day(), m/60, m%60, 30, 0, d.loc)
			if !t.After(after) || !t.Before(before) {
				continue
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			d.clock.Set(t)
			d.quiet()
			if err := d.answerQuietly(ctx); err != nil {
				return err
			}
		}
	}
	return nil
}

// answerQuietly has Maya press Done or Skip, in turn, on each nudge not
// answered yet, as a busy manager might, without printing it.
func (d *demo) answerQuietly(ctx context.Context) error {
	for _, m := range d.nudges() {
		if len(slackfake.Buttons(m.Blocks)) == 0 || d.answered[m.TS] {
			continue
		}
		d.answered[m.TS] = true
		action := "nudge_done"
		if len(d.answered)%3 == 0 {
			action = "nudge_skip"
		}
		id, err := d.fake.ClickButton(ctx, slackfake.Click{UserID: demoManager, ActionID: action, Blocks: m.Blocks, ChannelID: m.Channel, MessageTS: m.TS})
		if err != nil {
			return err
		}
		if _, err := d.fake.WaitAck(ctx, id); err != nil {
			return err
		}
	}
	d.quiet()
	return nil
}

// quiet waits until the bot has been quiet for a moment.
func (d *demo) quiet() {
	last, still := d.count(), 0
	for still < 8 {
		time.Sleep(15 * time.Millisecond)
		if n := d.count(); n != last {
			last, still = n, 0
		} else {
			still++
		}
	}
}

// discard marks everything the bot said so far as printed.
func (d *demo) discard() {
	d.msgs, d.responses = len(d.fake.Messages("")), len(d.fake.ResponsePosts())
	d.files, d.updates = len(d.fake.Files()), len(d.fake.Calls("chat.update"))
}

func (d *demo) waitFiles(ctx context.Context, n int) error {
	return waitUntil(ctx, "the weekly summary", func() bool {
		fs := d.fake.Files()
		return len(fs) >= n && fs[n-1].Completed
	})
}

// slash types "/lead-tip text" as user in channel (the user's DM with the
// bot when channel is the user) and waits for the answer.
func (d *demo) slash(ctx context.Context, user, channel, text string) error {
	if channel == user {
		channel = "D" + user
	}
	d.say(user, channel, "", "/lead-tip "+text)
	d.asker = user
	url := d.fake.NewResponseURL()
	id, err := d.fake.SendSlashCommand(ctx, slack.SlashCommand{UserID: user, ChannelID: channel, Text: text, ResponseURL: url})
	if err != nil {
		return err
	}
	if _, err := d.fake.WaitAck(ctx, id); err != nil {
		return err
	}
	return waitUntil(ctx, "the answer to /lead-tip "+text, func() bool {
		for _, p := range d.fake.ResponsePosts() {
			if strings.HasSuffix(url, p.Path) {
				return true
			}
		}
		return false
	})
}

// reply writes text in the thread of m as user. In a DM it waits for the
// bot's answer in the thread; in the team's thread the bot never answers,
// and the acknowledgement means the reply is stored.
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
	if _, err := d.fake.WaitAck(ctx, id); err != nil {
		return err
	}
	if typ != "im" {
		return nil
	}
	return waitUntil(ctx, "the answer to a reply", func() bool {
		for _, r := range d.fake.Messages(m.Channel) {
			if r.ThreadTS == m.TS && r.TS != ts {
				return true
			}
		}
		return false
	})
}

// press clicks button action on message m as user and waits for the
// message to be updated.
func (d *demo) press(ctx context.Context, user string, m slackfake.Message, action string) error {
	d.flush()
	var label string
	for _, b := range slackfake.Buttons(m.Blocks) {
		if b.ActionID == action {
			label = b.Text
		}
	}
	d.print(d.hhmm()+"  ", "       ", fmt.Sprintf("%s presses [%s] on “%s”", demoNames[user], label, strings.TrimPrefix(m.Text, "New challenge: ")))
	updates := len(d.fake.Calls("chat.update"))
	id, err := d.fake.ClickButton(ctx, slackfake.Click{UserID: user, ActionID: action, Blocks: m.Blocks, ChannelID: m.Channel, MessageTS: m.TS})
	if err != nil {
		return err
	}
	if _, err := d.fake.WaitAck(ctx, id); err != nil {
		return err
	}
	return waitUntil(ctx, "the message update", func() bool { return len(d.fake.Calls("chat.update")) > updates })
}

func (d *demo) hhmm() string { return d.clock.Now().Format("15:04") }

// where names a conversation for the transcript.
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
	d.print(fmt.Sprintf("%s  %s (%s): ", d.hhmm(), demoNames[user], d.where(channel, threadTS)), "       ", text)
}

// note prints a line of the narrator's, set apart from what was said.
func (d *demo) note(text string) {
	d.flush()
	d.print("       (", "        ", text+")")
}

// flush prints everything the bot said since the last flush.
func (d *demo) flush() {
	msgs := d.fake.Messages("")
	for _, m := range msgs[min(d.msgs, len(msgs)):] {
		place := d.where(m.Channel, m.ThreadTS)
		if place == "DM" {
			place = "DM to " + demoNames[strings.TrimPrefix(m.Channel, "D")]
		}
		fmt.Fprintf(d.out, "%s  Lead Coach (%s):\n", d.hhmm(), place)
		d.block(m.Text, m.Blocks)
	}
	d.msgs = len(msgs)
	posts := d.fake.ResponsePosts()
	for _, p := range posts[min(d.responses, len(posts)):] {
		fmt.Fprintf(d.out, "%s  Lead Coach (to %s only):\n", d.hhmm(), demoNames[d.asker])
		d.block(p.Text, p.Blocks)
	}
	d.responses = len(posts)
	files := d.fake.Files()
	for _, f := range files[min(d.files, len(files)):] {
		d.print(d.hhmm()+"  ", "       ", fmt.Sprintf("Lead Coach uploads a chart to the %s: %s (%s, %d KB)",
			d.where(f.Channel, ""), f.Title, f.Name, len(f.Content)/1024))
	}
	d.files = len(files)
	updates := d.fake.Calls("chat.update")
	for _, c := range updates[min(d.updates, len(updates)):] {
		var blocks json.RawMessage
		if b := c.Params["blocks"]; b != "" {
			blocks = json.RawMessage(b)
		}
		lines := strings.Split(strings.TrimSpace(slackfake.VisibleText("", blocks)), "\n")
		d.print("       ", "         ", "Lead Coach shows the choice instead of the buttons: "+plainText(lines[len(lines)-1]))
	}
	d.updates = len(updates)
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
			d.print("         ", "         ", plainText(line))
		}
	}
	if len(buttons) > 0 {
		d.print("         ", "         ", strings.Join(buttons, " "))
	}
}

// demoWidth is where the transcript's lines wrap.
const demoWidth = 78

// print writes text after first, wrapped at demoWidth with the lines
// after the first indented by indent. A `code span` is never broken.
func (d *demo) print(first, indent, text string) {
	line, n := first, utf8.RuneCountInString(first)
	fresh := true // nothing after the prefix yet
	for _, w := range unbreakable(text) {
		wn := utf8.RuneCountInString(w)
		if !fresh && n+1+wn > demoWidth {
			fmt.Fprintln(d.out, line)
			line, n, fresh = indent, utf8.RuneCountInString(indent), true
		}
		if !fresh {
			line, n = line+" ", n+1
		}
		line, n, fresh = line+w, n+wn, false
	}
	fmt.Fprintln(d.out, line)
}

// Slack's mrkdwn markup, as the bot writes it.
var (
	mrkdwnLink   = regexp.MustCompile(`<([@#!]?)([^<>|]+)(?:\|([^<>]*))?>`)
	mrkdwnBold   = regexp.MustCompile(`(^|[\s(])\*([^*\s](?:[^*\n]*[^*\s])?)\*`)
	mrkdwnItalic = regexp.MustCompile(`(^|[\s(])_([^_\s](?:[^_\n]*[^_\s])?)_`)
	mrkdwnEmoji  = regexp.MustCompile(`:([a-z0-9_+-]+):`)
)

// plainText renders a line of Slack mrkdwn for a terminal, close to what
// Slack shows: bold without its markers, italics (article titles) in
// quotes, emoji as characters, mentions by name, links by their label,
// escapes undone. Code spans keep their backticks.
func plainText(s string) string {
	s = mrkdwnLink.ReplaceAllStringFunc(s, func(m string) string {
		p := mrkdwnLink.FindStringSubmatch(m)
		switch {
		case p[1] == "@" && demoNames[p[2]] != "":
			return "@" + demoNames[p[2]]
		case p[3] != "":
			return strings.TrimPrefix(p[1], "!") + p[3]
		}
		return p[1] + p[2]
	})
	s = mrkdwnBold.ReplaceAllString(s, "$1$2")
	s = mrkdwnItalic.ReplaceAllString(s, "$1“$2”") // the bot sets only article titles in italics
	s = mrkdwnEmoji.ReplaceAllStringFunc(s, func(m string) string {
		if e := emoji(strings.Trim(m, ":")); e != "" {
			return e
		}
		return m
	})
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}

// emoji returns the character for the emoji the bot uses, or "".
func emoji(name string) string {
	switch name {
	case "bulb":
		return "💡"
	case "speech_balloon":
		return "💬"
	case "white_check_mark":
		return "✅"
	case "hourglass_flowing_sand":
		return "⏳"
	case "fast_forward":
		return "⏩"
	case "fire":
		return "🔥"
	case "seedling":
		return "🌱"
	}
	return ""
}

// unbreakable splits text into words, keeping each `code span` whole.
func unbreakable(text string) []string {
	var out []string
	inCode := false
	for _, w := range strings.Fields(text) {
		if inCode {
			out[len(out)-1] += " " + w
		} else {
			out = append(out, w)
		}
		if strings.Count(w, "`")%2 == 1 {
			inCode = !inCode
		}
	}
	return out
}
