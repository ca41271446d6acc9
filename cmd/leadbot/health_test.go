package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"
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

// TestE2EMetrics: after a /lead-tip, /metrics (Prometheus text format)
// counts the envelope, its ack and latency, and the Slack calls made.
func TestE2EMetrics(t *testing.T) {
	h := startBot(t, nil)
	h.slash("U0ALICE", "delegation")
	code, body := get(t, h.opsURL()+"/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics = %d", code)
	}
	for _, want := range []string{
		"leadbot_envelopes_received_total{type=\"slash_commands\"} 1\n",
		"leadbot_envelopes_acked_total{type=\"slash_commands\"} 1\n",
		"leadbot_ack_latency_seconds_count 1\n",
		"leadbot_slack_api_calls_total{method=\"auth.test\"} 1\n",
		"leadbot_slack_api_calls_total{method=\"apps.connections.open\"} 1\n",
		"leadbot_slack_api_calls_total{method=\"response_url\"} 1\n",
		"leadbot_slack_connected 1\n",
		"leadbot_handler_panics_total 0\n",
		"leadbot_team_prompts_sent_total 0\n",
		"# TYPE leadbot_scheduler_lag_seconds histogram\n",
		"\ngo_goroutines ",
		"\nprocess_resident_memory_bytes ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if strings.Contains(body, "delegation") {
		t.Error("/metrics shows what the user typed")
	}
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	// The server stops with the bot.
	if _, err := http.Get(h.opsURL() + "/healthz"); err == nil {
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
