package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/leadcoach/leadbot/bot/slackfake"
	"github.com/leadcoach/leadbot/storage"
)

var opsAddrLine = regexp.MustCompile(`msg="serving /healthz and /metrics".* addr=(\S+)`)

// opsURL returns the base URL of the running bot's health and metrics
// server, read from the address it logged (the harness asks for port 0).
func (h *harness) opsURL() string {
	h.t.Helper()
	m := opsAddrLine.FindAllStringSubmatch(h.logs.String(), -1)
	if len(m) == 0 {
		h.t.Fatalf("the bot did not log its health and metrics address:\n%s", h.logs)
	}
	return "http://" + m[len(m)-1][1]
}

// get fetches url and returns the status and body.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// waitHealth polls /healthz until it answers want, for up to 5 seconds, and
// returns the last answer.
func waitHealth(t *testing.T, base string, want int) (int, string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		code, body := get(t, base+"/healthz")
		if code == want || time.Now().After(deadline) {
			return code, body
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func decodeHealth(t *testing.T, body string) health {
	t.Helper()
	var got health
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("/healthz body %q: %v", body, err)
	}
	return got
}

// TestE2EHealthz: /healthz is 200 while the bot is connected, 503 naming
// Slack while the connection is down and apps.connections.open fails, and
// 200 again once the bot is back.
func TestE2EHealthz(t *testing.T) {
	h := startBot(t, nil)
	base := h.opsURL()
	// The fake has sent hello; the bot may not have read it yet.
	code, body := waitHealth(t, base, http.StatusOK)
	if code != http.StatusOK {
		t.Fatalf("/healthz = %d %s while connected, want 200", code, body)
	}
	if got, want := decodeHealth(t, body), (health{Status: "ok", Slack: "connected", Database: "ok"}); got != want {
		t.Errorf("/healthz body = %+v, want %+v", got, want)
	}
	if out, err := probe(t, strings.TrimPrefix(base, "http://")); err != nil || out != "ok: slack connected, database ok\n" {
		t.Errorf("leadbot health while connected = %q, %v; want ok and no error", out, err)
	}

	h.fake.FailConnectionsOpen(1_000_000, "")
	before := h.fake.Hellos()
	h.fake.DropConnections()
	code, body = waitHealth(t, base, http.StatusServiceUnavailable)
	if code != http.StatusServiceUnavailable {
		t.Fatalf("/healthz = %d %s while disconnected, want 503", code, body)
	}
	if got, want := decodeHealth(t, body), (health{Status: "unhealthy", Slack: "disconnected", Database: "ok"}); got != want {
		t.Errorf("/healthz body = %+v, want %+v", got, want)
	}
	if out, err := probe(t, strings.TrimPrefix(base, "http://")); err == nil || out != "unhealthy: slack disconnected, database ok\n" {
		t.Errorf("leadbot health while disconnected = %q, %v; want unhealthy and an error", out, err)
	}

	h.fake.FailConnectionsOpen(0, "")
	if err := h.fake.WaitConnected(h.ctx(), before+1); err != nil {
		t.Fatalf("bot did not reconnect: %v", err)
	}
	if code, body = waitHealth(t, base, http.StatusOK); code != http.StatusOK {
		t.Errorf("/healthz = %d %s after reconnecting, want 200", code, body)
	}
	if _, metrics := get(t, base+"/metrics"); !strings.Contains(metrics, "leadbot_reconnects_total 1\n") {
		t.Errorf("metrics lack one reconnect:\n%s", grepLines(metrics, "leadbot_reconnects"))
	}
	h.checkLogs()
}

// TestE2EHealthzDatabase: when the database file is deleted under the
// running bot (SQLite would go on writing to the deleted file, and lose it
// all at the next start), /healthz answers 503 naming the database while
// Slack stays connected, and the log says what happened, once.
func TestE2EHealthzDatabase(t *testing.T) {
	h := startBot(t, nil)
	base := h.opsURL()
	if code, body := waitHealth(t, base, http.StatusOK); code != http.StatusOK {
		t.Fatalf("/healthz = %d %s at start, want 200", code, body)
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(h.dbPath + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
	}
	for range 3 {
		code, body := get(t, base+"/healthz")
		if code != http.StatusServiceUnavailable {
			t.Fatalf("/healthz = %d %s with the database file gone, want 503", code, body)
		}
		if got, want := decodeHealth(t, body), (health{Status: "unhealthy", Slack: "connected", Database: "unavailable"}); got != want {
			t.Errorf("/healthz body = %+v, want %+v", got, want)
		}
	}
	if n := strings.Count(h.logs.String(), "the database cannot be used"); n != 1 {
		t.Errorf("the failing database was logged %d times over three probes, want once:\n%s", n, h.logs)
	}
	if !strings.Contains(h.logs.String(), "was deleted or replaced while open") {
		t.Errorf("the log does not say what happened to the database:\n%s", h.logs)
	}
	h.checkLogs()
}

// metricsScrape is one scrape of /metrics in Prometheus text format: each
// sample's value by its name and labels as written, e.g.
// leadbot_nudges_sent_total{source="now"}.
type metricsScrape map[string]float64

func scrapeMetrics(t *testing.T, base string) metricsScrape {
	t.Helper()
	code, body := get(t, base+"/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics = %d", code)
	}
	m := metricsScrape{}
	for line := range strings.Lines(body) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if i < 0 || err != nil {
			t.Fatalf("/metrics line %q is not a sample", line)
		}
		m[line[:i]] = v
	}
	return m
}

// scrapeUntil scrapes /metrics until cond holds, for up to 10 seconds,
// and returns the last scrape. The bot counts an acknowledgement after
// handing it to the socket, so the fake can see it a moment before
// /metrics does.
func scrapeUntil(t *testing.T, base string, cond func(metricsScrape) bool) metricsScrape {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		m := scrapeMetrics(t, base)
		if cond(m) || time.Now().After(deadline) {
			return m
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// seedDueNudge stores user (in UTC, timezone known) with a nudge slot a
// minute ago in the database at path: the bot sends it as soon as it
// starts, a minute or more late.
func seedDueNudge(t *testing.T, path, user string) {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	slot := time.Now().UTC().Truncate(time.Minute).Add(-time.Minute)
	if err := db.SaveUser(ctx, storage.User{ID: user, TeamID: "T0LEAD", TZ: "UTC", TZCheckedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveSubscription(ctx, storage.Subscription{UserID: user, Days: 0x7f, Minute: slot.Hour()*60 + slot.Minute(),
		Status: storage.StatusActive, NextAt: slot}); err != nil {
		t.Fatal(err)
	}
}

// TestE2EMetrics drives real traffic through the bot and checks that
// /metrics counts every part of it: envelopes of each type and their
// acknowledgements, Slack calls and a 429 by method, a handler error,
// nudges sent on request and on schedule (with how late), a reply to a
// nudge, a weekly team prompt and a reply in its thread. No label holds an
// id or anything anyone wrote.
func TestE2EMetrics(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "leadbot.db")
	seedDueNudge(t, dbPath, "U0SAM")
	h := startBot(t, map[string]string{"LEADBOT_DB": dbPath})
	base := h.opsURL()
	ctx := h.ctx()
	h.fake.AddUser(slackfake.User{ID: "U0ALICE", TZ: "Europe/Berlin"})
	h.fake.AddUser(slackfake.User{ID: "U0BOB", TZ: "Europe/Berlin"})
	h.fake.AddChannel(slackfake.Channel{ID: "C0TEAM", Name: "team", Members: []string{"U0ALICE", "U0BOB"}, BotIsMember: true})
	isTop := func(m slackfake.Message) bool { return m.ThreadTS == "" }

	// The scheduled nudge, sent at start.
	if _, err := h.fake.WaitMessage(ctx, func(m slackfake.Message) bool { return m.Channel == "DU0SAM" && isTop(m) }); err != nil {
		t.Fatalf("the scheduled nudge was not sent: %v", err)
	}
	// A tip, then a nudge asked for, whose first post Slack answers 429.
	h.slash("U0ALICE", "delegation")
	h.fake.InjectFault("chat.postMessage", 1, slackfake.Fault{Status: http.StatusTooManyRequests, RetryAfter: 1})
	if _, resp := h.slash("U0ALICE", "nudge"); !strings.Contains(slackfake.VisibleText(resp.Text, resp.Blocks), "Sent") {
		t.Errorf("/lead-tip nudge answered %q", slackfake.VisibleText(resp.Text, resp.Blocks))
	}
	nudge, err := h.fake.WaitMessage(ctx, func(m slackfake.Message) bool { return m.Channel == "DU0ALICE" && isTop(m) })
	if err != nil {
		t.Fatal(err)
	}
	// Done on the nudge, then a reply in its thread, thanked there.
	id, err := h.fake.ClickButton(ctx, slackfake.Click{UserID: "U0ALICE", ActionID: "nudge_done", Blocks: nudge.Blocks,
		ChannelID: nudge.Channel, MessageTS: nudge.TS})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.fake.WaitAck(ctx, id); err != nil {
		t.Fatal(err)
	}
	reply := map[string]any{"type": "message", "channel": nudge.Channel, "user": "U0ALICE", "ts": "1800000000.000100",
		"thread_ts": nudge.TS, "channel_type": "im", "text": "I handed over the release checklist"}
	if _, _, err := h.fake.SendEvent(ctx, reply); err != nil {
		t.Fatal(err)
	}
	if _, err := h.fake.WaitMessage(ctx, func(m slackfake.Message) bool { return m.ThreadTS == nudge.TS }); err != nil {
		t.Fatalf("the reply was not thanked: %v", err)
	}
	// A weekly prompt in the team channel, posted now, and a reply in its
	// thread.
	for _, text := range []string{"weekly fri 15:00", "weekly now"} {
		url := h.fake.NewResponseURL()
		if _, err := h.fake.SendSlashCommand(ctx, slack.SlashCommand{UserID: "U0ALICE", ChannelID: "C0TEAM", Text: text, ResponseURL: url}); err != nil {
			t.Fatal(err)
		}
		if _, err := h.fake.WaitResponsePost(ctx, func(p slackfake.ResponsePost) bool { return strings.HasSuffix(url, p.Path) }); err != nil {
			t.Fatalf("no answer to /lead-tip %s: %v", text, err)
		}
	}
	prompt, err := h.fake.WaitMessage(ctx, func(m slackfake.Message) bool { return m.Channel == "C0TEAM" && isTop(m) })
	if err != nil {
		t.Fatalf("the weekly prompt was not posted: %v", err)
	}
	teamReply := map[string]any{"type": "message", "channel": "C0TEAM", "user": "U0BOB", "ts": "1800000000.000200",
		"thread_ts": prompt.TS, "channel_type": "channel", "text": "Zoe fixed the flaky deploy test"}
	id, _, err = h.fake.SendEvent(ctx, teamReply)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.fake.WaitAck(ctx, id); err != nil {
		t.Fatal(err)
	}
	// A command whose response_url leads nowhere: an error the handler logs.
	id, err = h.fake.SendSlashCommand(ctx, slack.SlashCommand{UserID: "U0ALICE", Text: "help", ResponseURL: h.fake.URL() + "/nowhere/1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.fake.WaitAck(ctx, id); err != nil {
		t.Fatal(err)
	}

	types := []string{"slash_commands", "events_api", "interactive"}
	key := func(name, label, value string) string { return name + "{" + label + "=\"" + value + "\"}" }
	got := scrapeUntil(t, base, func(m metricsScrape) bool {
		for _, typ := range types {
			if m[key("leadbot_envelopes_acked_total", "type", typ)] < m[key("leadbot_envelopes_received_total", "type", typ)] {
				return false
			}
		}
		return m["leadbot_handler_errors_total"] >= 1 && m[key("leadbot_replies_recorded_total", "via", "team_thread")] >= 1
	})
	acked := 0.0
	for _, typ := range types {
		recv, ack := got[key("leadbot_envelopes_received_total", "type", typ)], got[key("leadbot_envelopes_acked_total", "type", typ)]
		if recv < 1 || ack != recv {
			t.Errorf("%s envelopes: %v received, %v acknowledged; want at least one, all acknowledged", typ, recv, ack)
		}
		acked += ack
	}
	if got["leadbot_ack_latency_seconds_count"] != acked || got["leadbot_ack_latency_seconds_sum"] <= 0 {
		t.Errorf("ack latency: %v observations summing to %v s, want one per acknowledgement (%v), summing above 0",
			got["leadbot_ack_latency_seconds_count"], got["leadbot_ack_latency_seconds_sum"], acked)
	}
	if lag := got["leadbot_scheduler_lag_seconds_sum"]; got["leadbot_scheduler_lag_seconds_count"] != 1 || lag < 60 {
		t.Errorf("scheduler lag: %v observations summing to %v s, want one, a minute or more late",
			got["leadbot_scheduler_lag_seconds_count"], lag)
	}
	for _, c := range []struct {
		sample   string
		min, max float64
	}{
		{key("leadbot_envelopes_received_total", "type", "slash_commands"), 5, 5},
		{key("leadbot_envelopes_received_total", "type", "events_api"), 2, 2},
		{key("leadbot_envelopes_received_total", "type", "interactive"), 1, 1},
		{"leadbot_handler_errors_total", 1, 1},
		{"leadbot_handler_panics_total", 0, 0},
		{"leadbot_reconnects_total", 0, 0},
		{"leadbot_slack_connected", 1, 1},
		{key("leadbot_slack_api_calls_total", "method", "auth.test"), 1, 1},
		{key("leadbot_slack_api_calls_total", "method", "apps.connections.open"), 1, 1},
		{key("leadbot_slack_api_calls_total", "method", "chat.postMessage"), 4, 100}, // 2 nudges, 1 retry, thanks, team prompt
		{key("leadbot_slack_api_calls_total", "method", "chat.update"), 1, 100},
		{key("leadbot_slack_api_calls_total", "method", "response_url"), 5, 100},
		{key("leadbot_slack_api_rate_limited_total", "method", "chat.postMessage"), 1, 1},
		{key("leadbot_nudges_sent_total", "source", "now"), 1, 1},
		{key("leadbot_nudges_sent_total", "source", "schedule"), 1, 1},
		{"leadbot_team_prompts_sent_total", 1, 1},
		{key("leadbot_replies_recorded_total", "via", "thread"), 1, 1},
		{key("leadbot_replies_recorded_total", "via", "team_thread"), 1, 1},
	} {
		v, ok := got[c.sample]
		if !ok || v < c.min || v > c.max {
			t.Errorf("%s = %v (present: %v), want %v to %v", c.sample, v, ok, c.min, c.max)
		}
	}
	for _, family := range []string{"go_goroutines", "process_resident_memory_bytes"} {
		if got[family] <= 0 {
			t.Errorf("%s = %v, want it reported", family, got[family])
		}
	}
	_, body := get(t, base+"/metrics")
	for _, private := range []string{"U0ALICE", "U0BOB", "U0SAM", "C0TEAM", "delegation", "checklist", "flaky"} {
		if strings.Contains(body, private) {
			t.Errorf("/metrics shows %q", private)
		}
	}
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	// The server stops with the bot.
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("/healthz still answers after shutdown")
	}
	h.checkLogs()
}

func TestHealthHandler(t *testing.T) {
	dbDown := errors.New("disk I/O error")
	tests := []struct {
		name      string
		connected bool
		pingErr   error
		wantCode  int
		want      health
	}{
		{"all up", true, nil, 200, health{"ok", "connected", "ok"}},
		{"slack down", false, nil, 503, health{"unhealthy", "disconnected", "ok"}},
		{"database down", true, dbDown, 503, health{"unhealthy", "connected", "unavailable"}},
		{"both down", false, dbDown, 503, health{"unhealthy", "disconnected", "unavailable"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs := &syncBuffer{}
			hh := healthHandler(func() bool { return tt.connected },
				func(context.Context) error { return tt.pingErr }, slog.New(slog.NewTextHandler(logs, nil)))
			rec := httptest.NewRecorder()
			hh(rec, httptest.NewRequest("GET", "/healthz", nil))
			if rec.Code != tt.wantCode {
				t.Errorf("status %d, want %d", rec.Code, tt.wantCode)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			if got := decodeHealth(t, rec.Body.String()); got != tt.want {
				t.Errorf("body = %+v, want %+v", got, tt.want)
			}
			if tt.pingErr != nil && !strings.Contains(logs.String(), "disk I/O error") {
				t.Errorf("database error not logged: %q", logs)
			}
		})
	}
}

func TestHTTPAddr(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{"", defaultAddr, false},
		{"off", "", false},
		{"OFF", "", false},
		{":8080", ":8080", false},
		{"0.0.0.0:9090", "0.0.0.0:9090", false},
		{"[::1]:8080", "[::1]:8080", false},
		{"8080", "", true},
		{"localhost:http", "", true},
		{"host:99999", "", true},
	}
	for _, tt := range tests {
		got, err := httpAddr(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("httpAddr(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "LEADBOT_ADDR ") {
			t.Errorf("httpAddr(%q) error %q does not name LEADBOT_ADDR", tt.in, err)
		}
	}
}

// TestAddrInUse: a port already taken stops the bot at start-up with an
// error naming LEADBOT_ADDR, before it connects to Slack.
func TestAddrInUse(t *testing.T) {
	taken := httptest.NewServer(http.NotFoundHandler())
	defer taken.Close()
	h := startBot(t, nil)
	h.stop()
	h.env["LEADBOT_ADDR"] = strings.TrimPrefix(taken.URL, "http://")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := run(ctx, []string{"leadbot"}, env(h.env), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "LEADBOT_ADDR") {
		t.Errorf("run = %v, want an error naming LEADBOT_ADDR", err)
	}
}

func grepLines(text, prefix string) string {
	var out []string
	for line := range strings.Lines(text) {
		if strings.HasPrefix(line, prefix) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "")
}

// A database that keeps failing is logged when it goes down and when it is
// back, not at every probe.
func TestHealthHandlerLogsChanges(t *testing.T) {
	logs := &syncBuffer{}
	var pingErr error
	hh := healthHandler(func() bool { return true }, func(context.Context) error { return pingErr },
		slog.New(slog.NewTextHandler(logs, nil)))
	probe := func() int {
		rec := httptest.NewRecorder()
		hh(rec, httptest.NewRequest("GET", "/healthz", nil))
		return rec.Code
	}
	var codes []int
	for _, err := range []error{nil, errors.New("disk I/O error"), errors.New("disk I/O error"), errors.New("disk I/O error"), nil, nil} {
		pingErr = err
		codes = append(codes, probe())
	}
	if want := []int{200, 503, 503, 503, 200, 200}; !slices.Equal(codes, want) {
		t.Errorf("statuses %v, want %v", codes, want)
	}
	if n := strings.Count(logs.String(), "the database cannot be used"); n != 1 {
		t.Errorf("logged the failure %d times, want once:\n%s", n, logs)
	}
	if n := strings.Count(logs.String(), "the database can be used again"); n != 1 {
		t.Errorf("logged the recovery %d times, want once:\n%s", n, logs)
	}
}

// checkedDatabase opens a new database in a temporary directory and
// returns its path and its databaseCheck.
func checkedDatabase(t *testing.T) (string, func(context.Context) error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "leadbot.db")
	db, err := storage.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return path, databaseCheck(db)
}

// databaseCheck fails while LEADBOT_DB is not the file the bot opened:
// moved away, or replaced by another file.
func TestDatabaseCheck(t *testing.T) {
	ctx := context.Background()
	path, check := checkedDatabase(t)
	steps := []struct {
		name    string
		do      func() error
		wantErr bool
	}{
		{"as opened", func() error { return nil }, false},
		{"moved away", func() error { return os.Rename(path, path+".moved") }, true},
		{"put back", func() error { return os.Rename(path+".moved", path) }, false},
		{"replaced by a copy", func() error {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if err := os.WriteFile(path+".new", b, 0o600); err != nil {
				return err
			}
			return os.Rename(path+".new", path)
		}, true},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		err := check(ctx)
		if (err != nil) != s.wantErr {
			t.Errorf("%s: check = %v, want error %v", s.name, err, s.wantErr)
		}
		if err != nil && !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %q does not name the file", s.name, err)
		}
	}
}

// TestDatabaseCheckWrites: databaseCheck fails while no write can be
// made though reads work, here because another process holds the write
// lock for longer than a probe waits (a full disk is TestHealthzDiskFull,
// Linux only), and passes once writes go through again.
func TestDatabaseCheckWrites(t *testing.T) {
	ctx := context.Background()
	path, check := checkedDatabase(t)
	other, err := sql.Open("sqlite", "file:"+path+"?_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	tx, err := other.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after the Rollback below
	if _, err := tx.ExecContext(ctx, "UPDATE write_check SET checked_at = 1"); err != nil {
		t.Fatal(err)
	}

	probe, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if err := check(probe); err == nil || !strings.Contains(err.Error(), "write "+path) {
		t.Errorf("check while writes wait = %v, want an error naming the write and the file", err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := check(ctx); err != nil {
		t.Errorf("check once writes go through = %v", err)
	}
}

// probe runs "leadbot health" with LEADBOT_ADDR=addr and returns what it
// printed.
func probe(t *testing.T, addr string) (string, error) {
	t.Helper()
	var stdout, stderr strings.Builder
	getenv := func(k string) string {
		if k == "LEADBOT_ADDR" {
			return addr
		}
		return ""
	}
	err := run(t.Context(), []string{"leadbot", "health"}, getenv, &stdout, &stderr)
	return stdout.String(), err
}

// TestHealthCommandWithoutBot: "leadbot health" fails clearly when nothing
// answers, and when LEADBOT_ADDR is off, naming the variable.
func TestHealthCommandWithoutBot(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	if _, err := probe(t, addr); err == nil || !strings.Contains(err.Error(), "is the bot running?") {
		t.Errorf("leadbot health with no bot: %v, want an error asking whether the bot runs", err)
	}
	_, err = probe(t, "off")
	var ce configError
	if !errors.As(err, &ce) || ce.name != "LEADBOT_ADDR" {
		t.Errorf("leadbot health with LEADBOT_ADDR=off: %v, want a configuration error naming LEADBOT_ADDR", err)
	}
}
