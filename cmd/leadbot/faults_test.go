package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/leadcoach/leadbot/bot/slackfake"
	"github.com/leadcoach/leadbot/storage"
)

// newFake starts a fake Slack for one test, with a user in Berlin.
func newFake(t *testing.T, opts slackfake.Options) *slackfake.Server {
	t.Helper()
	if opts.PingInterval == 0 {
		opts.PingInterval = 200 * time.Millisecond
	}
	fake, err := slackfake.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fake.Close() })
	fake.AddUser(slackfake.User{ID: "U0ANA", TZ: "Europe/Berlin"})
	return fake
}

// ask sends /lead-tip text as user and returns what the bot answers.
func ask(t *testing.T, fake *slackfake.Server, user, text string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	url := fake.NewResponseURL()
	if _, err := fake.SendSlashCommand(ctx, slack.SlashCommand{UserID: user, Text: text, ResponseURL: url}); err != nil {
		t.Fatal(err)
	}
	resp, err := fake.WaitResponsePost(ctx, func(r slackfake.ResponsePost) bool { return strings.HasSuffix(url, r.Path) })
	if err != nil {
		t.Fatalf("no answer to /lead-tip %s: %v", text, err)
	}
	return slackfake.VisibleText(resp.Text, resp.Blocks)
}

// topNudges returns the nudges posted in user's DM.
func topNudges(fake *slackfake.Server, user string) []slackfake.Message {
	var out []slackfake.Message
	for _, m := range fake.Messages("D" + user) {
		if m.ThreadTS == "" && strings.HasPrefix(m.Text, "New challenge") {
			out = append(out, m)
		}
	}
	return out
}

// TestExitsOnRefusedToken: a token Slack refuses for good (revoked,
// invalid, inactive workspace), at start or later when reconnecting, stops
// the binary with exit status 1 and one line naming the variable, instead
// of retrying for ever. No token appears in the output.
func TestExitsOnRefusedToken(t *testing.T) {
	t.Parallel()
	leadbotBinary(t)
	tests := []struct {
		name     string
		bot, app string
		fail     func(*slackfake.Server) // while running
		want     string
		// noReconnect: the failure is not about the connection, so
		// apps.connections.open is not called again.
		noReconnect bool
	}{
		{name: "bot token revoked", bot: "xoxb-revoked", want: "SLACK_BOT_TOKEN: slack rejected the token (token_revoked)"},
		{name: "bot token of an inactive workspace", bot: "xoxb-inactive", want: "SLACK_BOT_TOKEN: slack rejected the token (account_inactive)"},
		{name: "app token revoked", app: "xapp-revoked", want: "SLACK_APP_TOKEN: slack rejected the token (token_revoked)"},
		{name: "app token refused while reconnecting", fail: func(f *slackfake.Server) {
			f.FailConnectionsOpen(1000, "invalid_auth")
			f.DropConnections()
		}, want: "SLACK_APP_TOKEN: slack rejected the token (invalid_auth)"},
		{name: "bot token revoked while running", fail: func(f *slackfake.Server) {
			f.InjectFault("", 1000, slackfake.Fault{SlackError: "token_revoked"})
			if _, err := f.SendSlashCommand(context.Background(), slack.SlashCommand{UserID: "U0ANA", Text: "nudge"}); err != nil {
				panic(err)
			}
		}, want: "SLACK_BOT_TOKEN: slack rejected the token (token_revoked)", noReconnect: true},
		{name: "workspace inactive while reconnecting", fail: func(f *slackfake.Server) {
			f.FailConnectionsOpen(1000, "account_inactive")
			f.Disconnect("refresh_requested")
		}, want: "SLACK_APP_TOKEN: slack rejected the token (account_inactive)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t, slackfake.Options{})
			vars := binaryEnv(fake, filepath.Join(t.TempDir(), "leadbot.db"))
			if tt.bot != "" {
				vars["SLACK_BOT_TOKEN"] = tt.bot
			}
			if tt.app != "" {
				vars["SLACK_APP_TOKEN"] = tt.app
			}
			var p *proc
			opens := 0
			if tt.fail != nil {
				p = startConnected(t, fake, vars)
				opens = len(fake.Calls("apps.connections.open"))
				tt.fail(fake)
			} else {
				p = startProc(t, vars)
			}
			code := p.wait(10 * time.Second)
			if code != 1 {
				t.Fatalf("exit status %d, want 1 (-1: still running)\n%s", code, p.out)
			}
			if last := p.lastLine(); !strings.HasPrefix(last, "leadbot: "+tt.want) {
				t.Errorf("last line = %q, want it to start with %q", last, "leadbot: "+tt.want)
			}
			if n := strings.Count(p.out.String(), "rejected"); n != 1 {
				t.Errorf("%d lines say the token was rejected, want 1:\n%s", n, p.out)
			}
			if tt.fail != nil {
				if n := len(fake.Calls("apps.connections.open")) - opens; !tt.noReconnect && n != 1 {
					t.Errorf("%d apps.connections.open calls after the refusal, want 1 (no retrying)", n)
				}
			}
			noTokens(t, "the output", p.out.String())
			for _, tok := range []string{tt.bot, tt.app} {
				if tok != "" && strings.Contains(p.out.String(), tok) {
					t.Errorf("the output contains the token %s", tok)
				}
			}
		})
	}
}

// realDatabase makes a database at path as the bot would, with 3,000 users
// in it (so that it has many pages), and returns its content.
func realDatabase(t *testing.T, path string) []byte {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.ExecContext(ctx, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
		INSERT INTO users (id, team_id, created_at, updated_at) SELECT printf('U%06d', i), 'T0LEAD', 0, 0 FROM n`); err != nil {
		t.Fatal(err)
	}
	if err := raw.Close(); err != nil { // the last connection checkpoints: everything is in the main file
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCorruptDatabaseAtStart: a database file that is not SQLite, is cut
// short, has a damaged page, or cannot be created, stops the binary at
// start with exit status 1 and one line naming LEADBOT_DB and saying what
// to do. The file is left exactly as it was.
func TestCorruptDatabaseAtStart(t *testing.T) {
	t.Parallel()
	leadbotBinary(t)
	fake := newFake(t, slackfake.Options{})
	dir := t.TempDir()
	good := realDatabase(t, filepath.Join(dir, "good.db"))
	const pageSize = 4096
	tests := []struct {
		name string
		file func() []byte // nil: no file (and no directory)
		want string
		fix  string // what the line says to do
	}{
		{"not a database", func() []byte {
			return bytes.Repeat([]byte("this is not a database, and it must not be overwritten\n"), 200)
		}, "file is not a database", "set LEADBOT_DB to the bot's database, or to a file that does not exist yet"},
		{"cut short", func() []byte { return good[:len(good)/2] }, "database disk image is malformed", "restore the file from a backup"},
		{"schema page damaged", func() []byte {
			b := bytes.Clone(good)
			copy(b[100:pageSize], bytes.Repeat([]byte{0xa5}, pageSize-100))
			return b
		}, "malformed", "restore the file from a backup"},
		{"data page damaged", func() []byte {
			// The last leaf page, which nothing reads at start: only a check
			// of every page finds it.
			b := bytes.Clone(good)
			for p := len(b)/pageSize - 1; p > 0; p-- {
				if b[p*pageSize] == 0x0a || b[p*pageSize] == 0x0d {
					b[p*pageSize] = 0xff
					return b
				}
			}
			t.Fatal("no leaf page to damage")
			return nil
		}, "database file is corrupt", "restore the file from a backup"},
		{"directory missing", nil, "no such file or directory", "set LEADBOT_DB to a file in a directory that exists"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, "missing", "leadbot.db")
			var content []byte
			if tt.file != nil {
				path = filepath.Join(dir, fmt.Sprintf("case%d.db", i))
				content = tt.file()
				if err := os.WriteFile(path, content, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			p := startProc(t, binaryEnv(fake, path))
			if code := p.wait(10 * time.Second); code != 1 {
				t.Fatalf("exit status %d, want 1\n%s", code, p.out)
			}
			out := p.out.String()
			if strings.Count(out, "\n") != 1 || !strings.HasPrefix(out, "leadbot: LEADBOT_DB: ") || !strings.Contains(out, tt.want) || !strings.Contains(out, tt.fix) {
				t.Errorf("output = %q, want one line naming LEADBOT_DB, saying %q and what to do: %q", out, tt.want, tt.fix)
			}
			noTokens(t, "the output", out)
			if content != nil {
				if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, content) {
					t.Errorf("the corrupt file was changed (%v)", err)
				}
			}
		})
	}
	if len(fake.Calls("")) != 0 {
		t.Error("the bot called Slack without a database")
	}
}

// subscribeDueNow stores users (timezone UTC) whose daily slot was a
// minute ago, in the database at path.
func subscribeDueNow(t *testing.T, fake *slackfake.Server, path string, users []string) {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	slot := time.Now().UTC().Truncate(time.Minute).Add(-time.Minute)
	for _, u := range users {
		fake.AddUser(slackfake.User{ID: u, TZ: "UTC"})
		if err := db.SaveUser(ctx, storage.User{ID: u, TeamID: "T0LEAD", TZ: "UTC", TZCheckedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		if err := db.SaveSubscription(ctx, storage.Subscription{UserID: u, Days: 0x7f, Minute: slot.Hour()*60 + slot.Minute(),
			Status: storage.StatusActive, NextAt: slot}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSIGTERMWhileSending sends SIGTERM to the binary while it posts a
// crowd of due nudges, each post slowed down. The posts in flight finish
// and are recorded, the binary exits 0, and nothing is half-recorded. After
// a restart the rest are sent: every user gets exactly one nudge.
func TestSIGTERMWhileSending(t *testing.T) {
	t.Parallel()
	fake := newFake(t, slackfake.Options{})
	dbPath := filepath.Join(t.TempDir(), "leadbot.db")
	var users []string
	for i := range 24 {
		users = append(users, "U0CROWD"+string(rune('A'+i)))
	}
	subscribeDueNow(t, fake, dbPath, users)
	fake.InjectFault("chat.postMessage", 1000, slackfake.Fault{Delay: 300 * time.Millisecond})
	vars := binaryEnv(fake, dbPath)
	p := startConnected(t, fake, vars)
	pollUntil(t, "the first posts", func() bool { return len(fake.Calls("chat.postMessage")) >= 1 })
	if code := p.terminate(20 * time.Second); code != 0 {
		t.Fatalf("exit status %d after SIGTERM, want 0\n%s", code, p.out)
	}
	if !strings.Contains(p.out.String(), "shutting down") {
		t.Error("the shutdown was not logged")
	}
	posted := len(fake.Messages(""))
	if posted == 0 || posted == len(users) {
		t.Fatalf("%d of %d nudges posted before the exit; the test needs some, not all", posted, len(users))
	}
	checkOneNudgeEach(t, fake, dbPath, users, false)

	fake.ClearFaults()
	p = startConnected(t, fake, vars)
	pollUntil(t, "every nudge", func() bool { return len(fake.Messages("")) >= len(users) })
	if code := p.terminate(20 * time.Second); code != 0 {
		t.Errorf("exit status %d after SIGTERM, want 0", code)
	}
	checkOneNudgeEach(t, fake, dbPath, users, true)
	t.Logf("%d of %d posted before SIGTERM took effect", posted, len(users))
}

// checkOneNudgeEach checks that a delivery is recorded as sent exactly
// when its nudge was posted, once; all requires every user to have one.
func checkOneNudgeEach(t *testing.T, fake *slackfake.Server, path string, users []string, all bool) {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, u := range users {
		ds, err := db.Deliveries(ctx, u, 10)
		if err != nil {
			t.Fatal(err)
		}
		msgs := topNudges(fake, u)
		sent := len(ds) == 1 && ds[0].State == storage.StateSent
		switch {
		case len(ds) > 1 || len(msgs) > 1:
			t.Errorf("%s: %d deliveries, %d nudges posted", u, len(ds), len(msgs))
		case sent != (len(msgs) == 1):
			t.Errorf("%s: delivery %+v but %d nudges posted: half-recorded", u, ds, len(msgs))
		case sent && msgs[0].TS != ds[0].TS:
			t.Errorf("%s: recorded ts %s, posted %s", u, ds[0].TS, msgs[0].TS)
		case all && !sent:
			t.Errorf("%s: no nudge after the restart", u)
		}
	}
}

// TestRateLimitedEverywhere: a 429 with Retry-After on every Web API
// method the bot calls (bot/slackapi.go, plus apps.connections.open) is
// waited out and retried (the production client's retry configuration),
// and the action succeeds once.
func TestRateLimitedEverywhere(t *testing.T) {
	t.Parallel()
	leadbotBinary(t)
	limited := slackfake.Fault{Status: 429, RetryAfter: 1}
	tests := []struct {
		method string
		before func(t *testing.T, fake *slackfake.Server, dbPath string) // before the start
		act    func(t *testing.T, fake *slackfake.Server)
	}{
		{method: "auth.test"},
		{method: "apps.connections.open"},
		{method: "users.info", act: func(t *testing.T, fake *slackfake.Server) {
			if got := ask(t, fake, "U0ANA", "start"); !strings.Contains(got, "(Europe/Berlin)") {
				t.Errorf("start answered %q; want the timezone users.info gave", got)
			}
		}},
		{method: "conversations.open", act: nudgeSent},
		{method: "chat.postMessage", act: nudgeSent},
		{method: "chat.update", act: func(t *testing.T, fake *slackfake.Server) {
			fake.ClearFaults()
			nudgeSent(t, fake)
			fake.InjectFault("chat.update", 1, limited)
			n := topNudges(fake, "U0ANA")[0]
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			if _, err := fake.ClickButton(ctx, slackfake.Click{UserID: "U0ANA", ActionID: "nudge_done", Blocks: n.Blocks,
				ChannelID: n.Channel, MessageTS: n.TS}); err != nil {
				t.Fatal(err)
			}
			if _, err := fake.WaitCall(ctx, "chat.update", func(c slackfake.Call) bool { return c.Status == 200 }); err != nil {
				t.Errorf("the nudge was not updated: %v", err)
			}
		}},
		{method: "conversations.history", before: staleClaim, act: func(t *testing.T, fake *slackfake.Server) {
			pollUntil(t, "the interrupted nudge resent", func() bool { return len(topNudges(fake, "U0ANA")) == 1 })
		}},
		{method: "views.publish", act: func(t *testing.T, fake *slackfake.Server) {
			openHome(t, fake, "U0ANA")
			pollUntil(t, "the Home tab", func() bool { _, ok := fake.HomeView("U0ANA"); return ok })
		}},
		{method: "views.open", act: func(t *testing.T, fake *slackfake.Server) {
			ask(t, fake, "U0ANA", "start")
			blocks := homeBlocks(t, fake, "U0ANA")
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			if _, err := fake.ClickButton(ctx, slackfake.Click{UserID: "U0ANA", ActionID: "home_schedule", Blocks: blocks, ViewID: "VHOMEU0ANA"}); err != nil {
				t.Fatal(err)
			}
			// Slack accepts a trigger_id for 3 s: the retry after 1 s (and up
			// to 1 s of jitter) still opens the modal.
			if _, err := fake.WaitCall(ctx, "views.open", func(c slackfake.Call) bool { return c.SlackError == "" }); err != nil {
				t.Errorf("the schedule modal was not opened: %v", err)
			}
		}},
		{method: "files.getUploadURLExternal", act: exportSent},
		{method: "files.completeUploadExternal", act: exportSent},
		{method: "conversations.info", act: weeklySetUp},
		{method: "conversations.members", act: weeklySetUp},
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t, slackfake.Options{})
			dbPath := filepath.Join(t.TempDir(), "leadbot.db")
			if tt.before != nil {
				tt.before(t, fake, dbPath)
			}
			fake.InjectFault(tt.method, 1, limited)
			p := startConnected(t, fake, binaryEnv(fake, dbPath))
			if tt.act != nil {
				tt.act(t, fake)
			}
			pollUntil(t, "the rate-limited call", func() bool { return fake.RateLimited(tt.method) == 1 })
			// The fake records a call once it has answered it, which may be
			// after the action shows its effect: wait for the retry.
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			if _, err := fake.WaitCall(ctx, tt.method, func(c slackfake.Call) bool { return c.Status == http.StatusOK }); err != nil {
				t.Errorf("%s was not retried after the 429: %v", tt.method, err)
			}
			if n := len(topNudges(fake, "U0ANA")); n > 1 {
				t.Errorf("%d nudges posted, want at most 1", n)
			}
			if code := p.terminate(20 * time.Second); code != 0 {
				t.Errorf("exit status %d, want 0\n%s", code, p.out)
			}
			noTokens(t, "the logs", p.out.String())
		})
	}
}

// openHome sends the app_home_opened event of user opening the Home tab.
func openHome(t *testing.T, fake *slackfake.Server, user string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if _, _, err := fake.SendEvent(ctx, map[string]any{"type": "app_home_opened", "user": user, "channel": "D" + user, "tab": "home"}); err != nil {
		t.Fatal(err)
	}
}

// homeBlocks opens user's Home tab and returns its blocks once published.
func homeBlocks(t *testing.T, fake *slackfake.Server, user string) json.RawMessage {
	t.Helper()
	openHome(t, fake, user)
	var view struct {
		Blocks json.RawMessage `json:"blocks"`
	}
	pollUntil(t, "the Home tab", func() bool {
		v, ok := fake.HomeView(user)
		return ok && json.Unmarshal(v, &view) == nil && len(view.Blocks) > 0
	})
	return view.Blocks
}

// exportSent asks for U0ANA's export and checks the file reached her DM.
func exportSent(t *testing.T, fake *slackfake.Server) {
	t.Helper()
	if got := ask(t, fake, "U0ANA", "export"); !strings.Contains(got, "Sent") {
		t.Errorf("export answered %q", got)
	}
	if files := fake.Files(); len(files) != 1 || !files[0].Completed || files[0].Channel != "DU0ANA" {
		t.Errorf("export files = %+v, want one completed in DU0ANA", files)
	}
}

// weeklySetUp sets up the weekly team prompt in a channel U0ANA is in.
func weeklySetUp(t *testing.T, fake *slackfake.Server) {
	t.Helper()
	fake.AddChannel(slackfake.Channel{ID: "C0TEAM", Name: "team", Members: []string{"U0ANA"}, BotIsMember: true})
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	url := fake.NewResponseURL()
	if _, err := fake.SendSlashCommand(ctx, slack.SlashCommand{UserID: "U0ANA", ChannelID: "C0TEAM", Text: "weekly fri 15:00", ResponseURL: url}); err != nil {
		t.Fatal(err)
	}
	resp, err := fake.WaitResponsePost(ctx, func(r slackfake.ResponsePost) bool { return strings.HasSuffix(url, r.Path) })
	if err != nil {
		t.Fatalf("no answer to /lead-tip weekly: %v", err)
	}
	if got := slackfake.VisibleText(resp.Text, resp.Blocks); !strings.Contains(got, "Weekly prompt on.") {
		t.Errorf("weekly answered %q", got)
	}
}

func nudgeSent(t *testing.T, fake *slackfake.Server) {
	t.Helper()
	if got := ask(t, fake, "U0ANA", "nudge"); !strings.Contains(got, "Sent") {
		t.Errorf("nudge answered %q", got)
	}
	if n := len(topNudges(fake, "U0ANA")); n != 1 {
		t.Errorf("%d nudges posted, want 1", n)
	}
}

// staleClaim stores a delivery claimed five minutes ago and never
// confirmed, for the recovery pass (which calls conversations.history).
func staleClaim(t *testing.T, fake *slackfake.Server, path string) {
	t.Helper()
	ctx := context.Background()
	past := time.Now().Add(-5 * time.Minute)
	db, err := storage.Open(ctx, path, storage.WithClock(func() time.Time { return past }))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.SaveUser(ctx, storage.User{ID: "U0ANA", TeamID: "T0LEAD", TZ: "Europe/Berlin", TZCheckedAt: past, DMChannel: "DU0ANA"}); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := db.ClaimNow(ctx, storage.Delivery{UserID: "U0ANA", NudgeID: "delegate-whole-task", Kind: "delegate",
		Slot: past}); err != nil || !ok {
		t.Fatalf("claim: %v, %v", ok, err)
	}
}

// TestTokensNeverInOutput provokes every error path the bot has against
// Slack (429s, 5xx, failed and dropped connections, bad frames,
// response_urls that cannot be reached, and last a refused token, which
// stops it) with debug logging, in both log formats, and checks that no
// token appears in the output.
func TestTokensNeverInOutput(t *testing.T) {
	t.Parallel()
	leadbotBinary(t)
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t, slackfake.Options{})
			vars := binaryEnv(fake, filepath.Join(t.TempDir(), "leadbot.db"))
			vars["LEADBOT_LOG_FORMAT"] = format
			fake.InjectFault("auth.test", 1, slackfake.Fault{Status: 500})
			p := startConnected(t, fake, vars)
			for _, m := range []string{"users.info", "conversations.open", "chat.postMessage"} {
				fake.InjectFault(m, 1, slackfake.Fault{Status: 429, RetryAfter: 1})
				fake.InjectFault(m, 1, slackfake.Fault{Status: 500})
			}
			for range 3 {
				ask(t, fake, "U0ANA", "nudge")
			}
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			for _, frame := range []string{"not json", `{"envelope_id":"x","type":"nope"}`, `{"type":"events_api","envelope_id":"y","payload":5}`} {
				if err := fake.SendRaw(ctx, []byte(frame)); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := fake.SendSlashCommand(ctx, slack.SlashCommand{UserID: "U0ANA", Text: "help", ResponseURL: "http://127.0.0.1:1/commands/T0/1/secret"}); err != nil {
				t.Fatal(err)
			}
			hellos := fake.Hellos()
			fake.FailConnectionsOpen(2, "")
			fake.DropConnections()
			if err := fake.WaitConnected(ctx, hellos+1); err != nil {
				t.Fatal(err)
			}
			ask(t, fake, "U0ANA", "help")
			// Last, the token dies: the bot stops with status 1.
			fake.InjectFault("", 1000, slackfake.Fault{SlackError: "invalid_auth"})
			if _, err := fake.SendSlashCommand(ctx, slack.SlashCommand{UserID: "U0NEW", Text: "start"}); err != nil {
				t.Fatal(err) // a new user: users.info is called
			}
			if code := p.wait(15 * time.Second); code != 1 {
				t.Errorf("exit status %d after the token died, want 1", code)
			}
			out := p.out.String()
			noTokens(t, "the logs", out)
			for _, want := range []string{"connection failed", "500 Internal Server Error", "ignoring a frame that is not JSON", "slack rejected the token (invalid_auth)"} {
				if !strings.Contains(out, want) {
					t.Errorf("the logs lack %q: that error path was not taken", want)
				}
			}
		})
	}
}

// TestTokenFilesNeverShowToken: tokens read from *_FILE are checked like
// the others, and an error about one never shows what the file holds.
func TestTokenFilesNeverShowToken(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	good := write("app", "xapp-1-FILESECRET\n")
	tests := []struct {
		name string
		vars map[string]string
		want string
	}{
		{"bot token of the wrong kind in the file", map[string]string{"SLACK_APP_TOKEN_FILE": good,
			"SLACK_BOT_TOKEN_FILE": write("bot-wrong", "xapp-2-FILESECRET")}, "SLACK_BOT_TOKEN_FILE must start with xoxb-"},
		{"app token of the wrong kind in the file", map[string]string{"SLACK_APP_TOKEN_FILE": write("app-wrong", "xoxb-FILESECRET\n"),
			"SLACK_BOT_TOKEN": "xoxb-FILESECRET"}, "SLACK_APP_TOKEN_FILE must start with xapp-"},
		{"empty file", map[string]string{"SLACK_APP_TOKEN_FILE": good, "SLACK_BOT_TOKEN_FILE": write("empty", "\n")}, "SLACK_BOT_TOKEN_FILE is not set"},
		{"a directory", map[string]string{"SLACK_APP_TOKEN_FILE": dir}, "SLACK_APP_TOKEN_FILE names a file that cannot be read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), []string{"leadbot"}, env(tt.vars), &stdout, &stderr)
			if code := exitCode(err, &stderr); code != 2 {
				t.Errorf("exit code %d, want 2", code)
			}
			out := stdout.String() + stderr.String()
			if !strings.Contains(out, tt.want) {
				t.Errorf("output %q, want %q", out, tt.want)
			}
			if strings.Contains(out, "FILESECRET") {
				t.Errorf("the output shows the file's token: %q", out)
			}
		})
	}
}
