package bot

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leadcoach/leadbot/bot/slackfake"
	"github.com/leadcoach/leadbot/storage"
)

// processedEvents returns the event ids the database at path holds as
// handled, in order.
func processedEvents(t *testing.T, path string) []string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.QueryContext(context.Background(), "SELECT event_id FROM processed_events ORDER BY event_id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestE2EEventsPruned: a running bot forgets the ids of events handled
// longer ago than storage.EventRetention once its clock has moved on, and
// keeps the recent ones, so that a recent event delivered again still has
// no second effect. It prunes at most once an hour, however often its
// scheduler runs.
func TestE2EEventsPruned(t *testing.T) {
	t.Parallel()
	clock := newClock(monday8)
	env := newEnv(t, clock)
	env.fake.AddUser(slackfake.User{ID: "U0ANA", TZ: "Europe/Berlin"})
	tb := env.start(t, Config{})
	nudge, d := nudged(t, tb, clock, "U0ANA")
	sendEvent(t, env.fake, dmEvent("U0ANA", nudge.Channel, "1800000000.000100", nudge.TS, "an old reply"), "EvOLD")
	settle(t, tb)

	clock.Add(storage.EventRetention + time.Hour)
	recent := dmEvent("U0ANA", nudge.Channel, "1800000000.000200", nudge.TS, "a recent reply")
	sendEvent(t, env.fake, recent, "EvRECENT")
	settle(t, tb)
	if got, want := processedEvents(t, env.dbPath), []string{"EvRECENT"}; !slices.Equal(got, want) {
		t.Errorf("processed events a day on = %q, want %q", got, want)
	}
	sendEvent(t, env.fake, recent, "EvRECENT") // Slack delivering it again
	settle(t, tb)
	if n := replyCount(t, tb.db, "U0ANA", d.ID); n != 2 {
		t.Errorf("%d replies stored, want 2", n)
	}
	if !strings.Contains(tb.logs.String(), "recorded already") {
		t.Error("the recent event delivered again was not recognised")
	}
	logs := tb.logs.String()
	if n := strings.Count(logs, "processed events pruned") + strings.Count(logs, "no processed events to prune"); n != 2 {
		t.Errorf("pruned %d times, want twice: at the start, and once the clock moved on by more than an hour", n)
	}
}
