package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/leadcoach/leadbot/bot/slackfake"
)

// TestTimezoneChangeAckedOnceStored: a user_change whose new timezone
// cannot be stored (writes to users, or to subscriptions, fail as on a
// full disk) is not acknowledged, and says why in the log; Slack delivers
// it again, and once writes work the timezone is stored and the next
// nudge moved to the same local time there.
func TestTimezoneChangeAckedOnceStored(t *testing.T) {
	t.Parallel()
	newYork := mustLoad(t, "America/New_York")
	for _, table := range []string{"users", "subscriptions"} {
		t.Run(table, func(t *testing.T) {
			t.Parallel()
			clock := newClock(monday8)
			// Redelivered every 200 ms while unacknowledged, as often as it
			// takes: the test decides when the write works again.
			env := newRigEnv(t, slackfake.Options{AckTimeout: 200 * time.Millisecond, MaxRetries: 1000}, clock)
			env.fake.AddUser(slackfake.User{ID: "U0ANA", TZ: "Europe/Berlin"})
			tb := env.startRig(t, Config{}, rigOptions{})
			tb.slash(t, "U0ANA", "start")

			restore := failWrites(t, env.dbPath, table)
			id, err := env.fake.SendEventWithID(testCtx(t), map[string]any{"type": "user_change",
				"user": map[string]any{"id": "U0ANA", "tz": "America/New_York"}}, "EvTZ")
			if err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the event handled", func() bool { return strings.Contains(tb.logs.String(), "msg=handled envelope_id="+id) })
			ackBarrier(t, env.fake)
			if acked(env.fake, id) {
				t.Fatalf("a timezone change that could not be stored was acknowledged\n%s", tb.logs)
			}
			if !strings.Contains(tb.logs.String(), "left for Slack to send again") {
				t.Errorf("no log line says the timezone change was not stored\n%s", tb.logs)
			}
			restore()
			ack, err := env.fake.WaitAck(testCtx(t), id)
			if err != nil {
				t.Fatalf("the timezone change was not stored once writes worked: %v\n%s", err, tb.logs)
			}
			if ack.Attempt == 0 {
				t.Error("acknowledged on the first delivery, want a redelivery")
			}
			ctx := context.Background()
			if u, err := tb.db.User(ctx, "U0ANA"); err != nil || u.TZ != "America/New_York" {
				t.Errorf("timezone = %q, %v; want America/New_York", u.TZ, err)
			}
			if want := time.Date(2026, 11, 23, 9, 30, 0, 0, newYork); !subscription(t, tb.db, "U0ANA").NextAt.Equal(want) {
				t.Errorf("next nudge at %v, want %v: 09:30 in New York", subscription(t, tb.db, "U0ANA").NextAt, want)
			}
		})
	}
}

// ackBarrier sends an event the bot ignores and waits for its ack. The bot
// acknowledges over one connection, in order, so an ack of any envelope
// it finished handling before has reached the fake by then: a test can
// tell "not acknowledged" from "acknowledged, still on its way".
func ackBarrier(t *testing.T, fake *slackfake.Server) {
	t.Helper()
	sendEvent(t, fake, map[string]any{"type": "reaction_added", "user": "U0ANA", "reaction": "thumbsup"}, "EvBARRIER")
}
