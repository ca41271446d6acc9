//go:build unix

package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leadcoach/leadbot/bot/slackfake"
)

// TestDatabaseFileGone: the database file is deleted, or replaced by a
// copy, under the running binary. SQLite would go on writing to the file
// it has open, and lose it all at the next start: so ten replies to a
// nudge that arrive meanwhile are not acknowledged, and /healthz says the
// database is unavailable. The bot is then restarted on the file put back
// (deleted) or on the copy (replaced), and Slack's redeliveries store all
// ten, once, next to the reply stored before.
func TestDatabaseFileGone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// gone takes the file away from under the bot; back, with the bot
		// stopped, puts a good file at path.
		gone, back func(t *testing.T, path string)
	}{
		{
			name: "deleted",
			gone: func(t *testing.T, path string) {
				copyDatabase(t, path, path+".backup")
				removeDatabase(t, path)
			},
			back: func(t *testing.T, path string) {
				removeDatabase(t, path) // whatever was written after the deletion
				if err := os.Rename(path+".backup", path); err != nil {
					t.Fatal(err)
				}
			},
		},
		{
			name: "replaced",
			gone: func(t *testing.T, path string) {
				copyDatabase(t, path, path+".new")
				if err := os.Rename(path+".new", path); err != nil {
					t.Fatal(err)
				}
			},
			back: func(*testing.T, string) {},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t, slackfake.Options{AckTimeout: time.Second, MaxRetries: 30})
			dbPath := filepath.Join(t.TempDir(), "leadbot.db")
			vars := binaryEnv(fake, dbPath)
			vars["LEADBOT_ADDR"] = "127.0.0.1:0"
			p := startConnected(t, fake, vars)
			nudgeSent(t, fake)
			n := topNudges(fake, "U0ANA")[0]
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			reply := func(i int) map[string]any {
				return map[string]any{"type": "message", "channel": n.Channel, "user": "U0ANA", "text": fmt.Sprintf("reply %d", i),
					"ts": replyTS(i), "thread_ts": n.TS, "channel_type": "im"}
			}
			first, err := fake.SendEventWithID(ctx, reply(0), "EvBEFORE")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := fake.WaitAck(ctx, first); err != nil {
				t.Fatal(err)
			}

			tt.gone(t, dbPath)
			var envelopes []string
			for i := 1; i <= 10; i++ {
				id, err := fake.SendEventWithID(ctx, reply(i), fmt.Sprintf("EvGONE%02d", i))
				if err != nil {
					t.Fatal(err)
				}
				envelopes = append(envelopes, id)
				pollUntil(t, fmt.Sprintf("reply %d refused or acknowledged", i), func() bool {
					return fake.Acked(id) || logged(p.out.String(), "level=ERROR", fmt.Sprintf("event_id=EvGONE%02d", i))
				})
			}
			for i, id := range envelopes {
				if fake.Acked(id) {
					t.Errorf("reply %d was acknowledged though the database file is gone", i+1)
				}
			}
			base := "http://" + opsAddrLine.FindStringSubmatch(p.out.String())[1]
			code, body := waitHealth(t, base, http.StatusServiceUnavailable)
			if got, want := decodeHealth(t, body), (health{Status: "unhealthy", Slack: "connected", Database: "unavailable"}); code != http.StatusServiceUnavailable || got != want {
				t.Errorf("/healthz = %d %+v with the database file %s, want 503 %+v", code, got, tt.name, want)
			}
			if code := p.terminate(20 * time.Second); code != 0 {
				t.Errorf("exit status %d, want 0\n%s", code, p.out)
			}

			tt.back(t, dbPath)
			p = startConnected(t, fake, vars)
			for i, id := range envelopes {
				if _, err := fake.WaitAck(ctx, id); err != nil {
					t.Fatalf("reply %d not stored after the restart: %v\n%s", i+1, err, p.out)
				}
			}
			if code := p.terminate(20 * time.Second); code != 0 {
				t.Errorf("exit status %d, want 0\n%s", code, p.out)
			}
			st := readState(t, dbPath, []string{"U0ANA"})
			for i := range 11 {
				if n := st.replies[replyTS(i)]; n != 1 {
					t.Errorf("reply %d stored %d times, want once", i, n)
				}
			}
			if st.total != 11 {
				t.Errorf("%d replies stored, want 11: the one before and the ten refused", st.total)
			}
			noTokens(t, "the logs", p.out.String())
		})
	}
}

// replyTS is the message ts of the test's reply i.
func replyTS(i int) string { return fmt.Sprintf("1800000000.%06d", 100+i) }

// copyDatabase writes a consistent copy of the database at path to a new
// file at to, as a backup tool would, while the bot has it open.
func copyDatabase(t *testing.T, path, to string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("VACUUM INTO ?", to); err != nil {
		t.Fatal(err)
	}
}

// removeDatabase deletes the database at path with its -wal and -shm files.
func removeDatabase(t *testing.T, path string) {
	t.Helper()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(path + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
	}
}

// logged reports whether a line of logs holds every one of parts.
func logged(logs string, parts ...string) bool {
	for line := range strings.Lines(logs) {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(line, p)
		}
		if all {
			return true
		}
	}
	return false
}
