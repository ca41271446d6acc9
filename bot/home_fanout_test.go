package bot

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/leadcoach/leadbot/bot/slackfake"
	"github.com/leadcoach/leadbot/storage"
)

// homeFanout stores users whose Monday 09:30 slot is due and who have
// opened their Home tab, so that a nudge sent changes it: a fan-out for
// a bot started in the returned environment.
func homeFanout(t *testing.T, users int) (*testEnv, []string) {
	t.Helper()
	slot := time.Date(2026, 11, 23, 9, 30, 0, 0, berlin)
	clock := newClock(slot.Add(5 * time.Second))
	env := newRigEnv(t, slackfake.Options{}, clock)
	return env, storeDue(t, env, clock, slot, users, slot.Add(-time.Hour))
}

// allSent reports whether each of users has one delivery, recorded sent.
func allSent(db *storage.DB, users []string) bool {
	for _, u := range users {
		ds, err := db.Deliveries(context.Background(), u, 10)
		if err != nil || len(ds) != 1 || ds[0].State != storage.StateSent {
			return false
		}
	}
	return true
}

// TestHomeTabsDuringFanout: every nudge of a fan-out changes its user's
// Home tab, and views.publish has a far lower rate limit than sending.
// Publishing must never hold up the sends: with every views.publish held
// unanswered by the fake, all the nudges are still sent and recorded.
// Once Slack answers again, each Home tab is published with its final
// state (the reply its user wrote meanwhile), once per user however many
// times it changed, plus at most the one that was being published.
func TestHomeTabsDuringFanout(t *testing.T) {
	t.Parallel()
	const users = 12
	env, ids := homeFanout(t, users)
	hold := make(chan struct{})
	env.fake.InjectFault("views.publish", 1000, slackfake.Fault{Hold: hold})
	// A client timeout far beyond the test's patience: a send waiting for
	// a publish would wait for the hold.
	tb := env.startRig(t, Config{SendWorkers: 4}, rigOptions{clientTimeout: time.Minute})
	var once sync.Once
	release := func() { once.Do(func() { close(hold) }) }
	t.Cleanup(release) // before the bot stops, should the test fail while held

	waitFor(t, "every nudge sent and recorded while Home tabs cannot be published", func() bool { return allSent(tb.db, ids) })
	if n := len(env.fake.Calls("views.publish")); n != 0 {
		t.Fatalf("%d views.publish calls answered while held", n)
	}
	// Each user answers their nudge while the Home tabs wait: another
	// change to each.
	for _, u := range ids {
		nudge := nudgeMessages(env.fake, u)[0]
		sendEvent(t, env.fake, dmEvent(u, nudge.Channel, "1800000000.000100", nudge.TS, "reflection of "+u), "Ev"+u)
	}

	release()
	for _, u := range ids {
		waitHome(t, env.fake, u, "reflection of "+u)
	}
	settle(t, tb)
	if n := len(env.fake.Calls("views.publish")); n > users+1 {
		t.Errorf("%d views.publish calls for %d users' Home tabs, want at most %d: one each, and the one held", n, users, users+1)
	}
}

// TestHomeTabOpenedDuringBacklog: while Home tabs changed by a fan-out
// wait their turn under the views.publish limit, a user who opens their
// Home tab sees it at once, not after the backlog.
func TestHomeTabOpenedDuringBacklog(t *testing.T) {
	t.Parallel()
	const users = 6
	env, ids := homeFanout(t, users)
	tb := env.startRig(t, Config{HomePublishRate: 1.0 / 3600}, rigOptions{}) // one an hour: the rest wait
	waitFor(t, "every nudge sent", func() bool { return allSent(tb.db, ids) })
	settle(t, tb)
	before := len(env.fake.Calls("views.publish"))
	if before >= users {
		t.Fatalf("%d Home tabs published at once under a limit of one an hour", before)
	}

	var waiting string // a user whose Home tab waits its turn
	for _, u := range ids {
		if _, ok := env.fake.HomeView(u); !ok {
			waiting = u
		}
	}
	sendEvent(t, env.fake, map[string]any{"type": "app_home_opened", "user": waiting, "channel": "D" + waiting, "tab": "home", "event_ts": "1.1"}, "EvHOME")
	waitHome(t, env.fake, waiting, "Nudges:*")
	if n := len(env.fake.Calls("views.publish")); n != before+1 {
		t.Errorf("%d views.publish calls after opening the Home tab, want %d: the backlog waits", n, before+1)
	}
}

// TestHomeTabRetriedAfter429: a Home tab update that Slack rate-limits
// (beyond the client's retries) is published again after the wait Slack
// asks for; the nudge that changed it was not held up.
func TestHomeTabRetriedAfter429(t *testing.T) {
	t.Parallel()
	env, ids := homeFanout(t, 1)
	env.fake.InjectFault("views.publish", 1, slackfake.Fault{Status: 429, RetryAfter: 1})
	tb := env.startRig(t, Config{}, rigOptions{noRetry: true})
	waitFor(t, "the nudge sent", func() bool { return allSent(tb.db, ids) })
	waitHome(t, env.fake, ids[0], "This week")
	// The fake shows a published view a moment before it logs the call.
	waitFor(t, "the publish logged", func() bool { return len(env.fake.Calls("views.publish")) >= 2 })
	calls := env.fake.Calls("views.publish")
	if len(calls) != 2 || calls[0].Status != 429 || calls[1].Status != 200 {
		t.Errorf("views.publish calls = %d, want a 429 then a publish", len(calls))
	}
}
