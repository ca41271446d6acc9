package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/leadcoach/leadbot/bot/slackfake"
)

// TestE2EJSONLogs runs the bot with LEADBOT_LOG_FORMAT=json: every line
// it writes is one JSON object with a time, a level and a message; the
// events carry ids (envelope, user, channel, delivery); nothing anyone
// wrote and no token appears. LEADBOT_LOG_LEVEL=warn keeps only warnings
// and errors.
func TestE2EJSONLogs(t *testing.T) {
	const (
		question = "my PRIVATEQUESTION team misses deadlines"
		note     = "a PRIVATENOTE about Leo"
	)
	tests := []struct {
		level      string
		wantLevels []string // levels that must appear
		banned     []string // levels that must not
	}{
		{"debug", []string{"DEBUG", "INFO"}, nil},
		{"warn", nil, []string{"DEBUG", "INFO"}},
	}
	for _, tt := range tests {
		t.Run(tt.level, func(t *testing.T) {
			h := startBot(t, map[string]string{"LEADBOT_LOG_FORMAT": "json", "LEADBOT_LOG_LEVEL": tt.level})
			h.fake.AddUser(slackfake.User{ID: "U0ANA", TZ: "Europe/Berlin"})
			h.slash("U0ANA", question)
			h.slash("U0ANA", "nudge")
			ctx := h.ctx()
			nudge, err := h.fake.WaitMessage(ctx, func(m slackfake.Message) bool { return m.Channel == "DU0ANA" && m.ThreadTS == "" })
			if err != nil {
				t.Fatal(err)
			}
			reply := map[string]any{"type": "message", "channel": nudge.Channel, "user": "U0ANA", "ts": "1800000000.000100",
				"thread_ts": nudge.TS, "channel_type": "im", "text": note}
			if _, _, err := h.fake.SendEvent(ctx, reply); err != nil {
				t.Fatal(err)
			}
			if _, err := h.fake.WaitMessage(ctx, func(m slackfake.Message) bool { return m.ThreadTS == nudge.TS }); err != nil {
				t.Fatalf("the reply was not thanked: %v", err)
			}
			if err := h.stop(); err != nil {
				t.Fatal(err)
			}
			h.checkLogs()

			levels := map[string]int{}
			var lines []map[string]any
			for line := range strings.Lines(h.logs.String()) {
				var rec map[string]any
				if err := json.Unmarshal([]byte(line), &rec); err != nil {
					t.Fatalf("log line is not JSON (%v): %q", err, line)
				}
				for _, k := range []string{"time", "level", "msg"} {
					if _, ok := rec[k]; !ok {
						t.Errorf("log line lacks %q: %q", k, line)
					}
				}
				if dup := repeatedKey(t, line); dup != "" {
					t.Errorf("log line has %q twice: %q", dup, line)
				}
				level, _ := rec["level"].(string)
				levels[level]++
				lines = append(lines, rec)
				if strings.Contains(line, "PRIVATE") {
					t.Errorf("log line shows what a user wrote: %q", line)
				}
			}
			for _, l := range tt.wantLevels {
				if levels[l] == 0 {
					t.Errorf("no %s lines at LEADBOT_LOG_LEVEL=%s", l, tt.level)
				}
			}
			for _, l := range tt.banned {
				if levels[l] > 0 {
					t.Errorf("%d %s lines at LEADBOT_LOG_LEVEL=%s", levels[l], l, tt.level)
				}
			}
			if tt.level != "debug" {
				return
			}
			// The events a reader looks for, each with its ids.
			for _, want := range []struct {
				msg  string
				keys []string
			}{
				{"connected", nil},
				{"tip", []string{"envelope_id", "user", "tip"}},
				{"nudge sent", []string{"user", "channel", "source"}},
				{"reply recorded", []string{"envelope_id", "user", "channel", "delivery", "via"}},
			} {
				var found map[string]any
				for _, rec := range lines {
					if rec["msg"] == want.msg {
						found = rec
						break
					}
				}
				if found == nil {
					t.Errorf("no %q line", want.msg)
					continue
				}
				for _, k := range want.keys {
					if _, ok := found[k]; !ok {
						t.Errorf("the %q line lacks %q: %v", want.msg, k, found)
					}
				}
			}
		})
	}
}

// repeatedKey returns a key that the JSON object in line holds twice at
// its top level, or "".
func repeatedKey(t *testing.T, line string) string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(line))
	if _, err := dec.Token(); err != nil { // {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		key, _ := tok.(string)
		if seen[key] {
			return key
		}
		seen[key] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return ""
}

func TestUniqueKeys(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(uniqueKeys(slog.NewJSONHandler(&buf, nil)))
	log = log.With("user", "U1", "channel", "C1", "envelope_id", "E1")
	log.With("user", "U1").Info("nudge sent", "delivery", 7, "channel", "D1")
	log.WithGroup("g").Info("grouped", "channel", "inner")
	log.Info("plain")
	var got []string
	for line := range strings.Lines(buf.String()) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		if dup := repeatedKey(t, line); dup != "" {
			t.Errorf("%q twice in %s", dup, line)
		}
		delete(rec, "time")
		b, _ := json.Marshal(rec)
		got = append(got, string(b))
	}
	want := []string{
		`{"channel":"D1","delivery":7,"envelope_id":"E1","level":"INFO","msg":"nudge sent","user":"U1"}`,
		`{"channel":"C1","envelope_id":"E1","g":{"channel":"inner"},"level":"INFO","msg":"grouped","user":"U1"}`,
		`{"channel":"C1","envelope_id":"E1","level":"INFO","msg":"plain","user":"U1"}`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !log.Handler().Enabled(context.Background(), slog.LevelInfo) || log.Handler().Enabled(context.Background(), slog.LevelDebug) {
		t.Error("Enabled does not follow the wrapped handler's level")
	}
}
