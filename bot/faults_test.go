package bot

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/leadcoach/leadbot/bot/slackfake"
	"github.com/leadcoach/leadbot/bot/socket"
	"github.com/leadcoach/leadbot/storage"
)

// TestConnectionLossLosesNoEnvelope: however the Socket Mode connection is
// lost (Slack asks for a refresh, TCP drops, the server goes silent, or
// apps.connections.open fails for a while), the bot notices and reports
// itself disconnected (Connected, which /healthz serves), reconnects with
// backoff, and every envelope sent during the outage is acknowledged and
// answered afterwards. The fake holds apps.connections.open until the test
// has checked the outage, so the bot cannot be back before it is seen gone.
func TestConnectionLossLosesNoEnvelope(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		rig     rigOptions
		cut     func(*slackfake.Server)
		heal    func(*slackfake.Server) // before the bot may reconnect
		fails   int                     // apps.connections.open calls that fail before one works
		failErr string                  // how they fail: "" for HTTP 500, or a Slack error
	}{
		{name: "disconnect refresh_requested", cut: func(f *slackfake.Server) { f.Disconnect("refresh_requested") }},
		{name: "disconnect warning", cut: func(f *slackfake.Server) { f.Disconnect("warning") }},
		{name: "abrupt TCP drop", cut: func(f *slackfake.Server) { f.DropConnections() }},
		{
			// slack-go gives up on a connection after OptionPingInterval
			// without a ping: 30 s in production, 1 s here.
			name: "server stops pinging", rig: rigOptions{pingTimeout: time.Second},
			cut: func(f *slackfake.Server) { f.SetPings(false) }, heal: func(f *slackfake.Server) { f.SetPings(true) },
		},
		{name: "apps.connections.open fails 4 times", cut: func(f *slackfake.Server) { f.DropConnections() }, fails: 4},
		{name: "apps.connections.open rate limited 3 times", cut: func(f *slackfake.Server) { f.DropConnections() }, fails: 3, failErr: "ratelimited"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := newRigEnv(t, slackfake.Options{PingInterval: 100 * time.Millisecond}, nil)
			tb := env.startRig(t, Config{}, tt.rig)
			fake := env.fake
			hellos, opens := fake.Hellos(), len(fake.Calls("apps.connections.open"))

			release := fake.HoldConnectionsOpen()
			defer release()
			if tt.fails > 0 {
				fake.FailConnectionsOpen(tt.fails, tt.failErr)
			}
			cutAt := time.Now()
			tt.cut(fake)
			waitFor(t, "the bot to report itself disconnected", func() bool { return !tb.Connected() })
			type sent struct{ id, url string }
			var during []sent
			for i := range 5 {
				id, url := sendCommand(t, fake, "U0ANA", []string{"help", "topics", "delegation", "feedback", "help"}[i])
				during = append(during, sent{id, url})
			}
			if tb.Connected() {
				t.Error("Connected() = true during the outage")
			}
			if tt.heal != nil {
				tt.heal(fake)
			}
			release()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			if err := fake.WaitConnected(ctx, hellos+1); err != nil {
				t.Fatalf("no reconnect: %v\n%s", err, tb.logs)
			}
			took := time.Since(cutAt)
			for i, s := range during {
				if _, err := fake.WaitAck(ctx, s.id); err != nil {
					t.Errorf("envelope %d sent during the outage: %v", i, err)
					continue
				}
				if _, err := answer(t, fake, s.url, 10*time.Second); err != nil {
					t.Errorf("envelope %d sent during the outage not answered: %v", i, err)
				}
			}
			waitFor(t, "Connected() after the reconnect", tb.Connected)
			calls := fake.Calls("apps.connections.open")[opens:]
			if len(calls) < tt.fails+1 {
				t.Fatalf("%d apps.connections.open calls, want %d", len(calls), tt.fails+1)
			}
			// Backoff: after the i-th failure in a row slack-go waits at least
			// 100 ms × 2^(i-1) (plus our jitter) before trying again. Only
			// lower bounds are checked: a slow machine makes gaps longer.
			for i := 1; i <= tt.fails; i++ {
				if gap, least := calls[i].At.Sub(calls[i-1].At), 100*time.Millisecond<<(i-1); gap < least {
					t.Errorf("attempt %d came %v after the one before, want at least %v: no backoff", i+1, gap, least)
				}
			}
			t.Logf("reconnected after %v with %d apps.connections.open calls", took, len(calls))
		})
	}
}

// holdWriteLock takes SQLite's write lock on path from another connection,
// as another process would, and returns the function that releases it.
func holdWriteLock(t *testing.T, path string) (release func()) {
	t.Helper()
	ctx := context.Background()
	other, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	var once bool
	release = func() {
		if once {
			return
		}
		once = true
		_, _ = conn.ExecContext(ctx, "ROLLBACK")
		conn.Close()
		other.Close()
	}
	t.Cleanup(release)
	return release
}

// TestDatabaseLocked: another process holds the database's write lock for
// longer than the busy timeout. Reads go on; a command that cannot be
// stored gets a kind apology (no raw error); a reply that cannot be stored
// is not acknowledged, so Slack delivers it again, and it is stored once
// the lock is gone; nothing stored before is lost.
func TestDatabaseLocked(t *testing.T) {
	t.Parallel() // waits out the busy timeout three times
	// A busy timeout of a second rather than the 5 s default: what happens
	// when it runs out is the same, and the test waits less.
	const busy = time.Second
	clock := newClock(monday8)
	env := newRigEnv(t, slackfake.Options{}, clock)
	env.fake.AddUser(slackfake.User{ID: "U0ANA", TZ: "Europe/Berlin"})
	tb := env.startRig(t, Config{}, rigOptions{busyTimeout: busy})
	tb.slash(t, "U0ANA", "start")
	nudge, d := nudged(t, tb, clock, "U0ANA")
	sendEvent(t, env.fake, dmEvent("U0ANA", nudge.Channel, "1800000000.000100", nudge.TS, "stored before the lock"), "EvBEFORE")
	ctx := testCtx(t)

	// A command while locked: reading works, writing gets the apology. The
	// bot's writes go through one connection, so they wait their turn:
	// pause writes twice (the user, then the subscription), busy each.
	release := holdWriteLock(t, env.dbPath)
	if _, resp := tb.slash(t, "U0ANA", "history"); !strings.Contains(visible(resp), "stored before the lock") {
		t.Errorf("history while locked = %q", visible(resp))
	}
	pauseID, pauseURL := sendCommand(t, env.fake, "U0ANA", "pause 2w")
	if _, err := env.fake.WaitAck(ctx, pauseID); err != nil {
		t.Errorf("the command was not acknowledged at once: %v", err)
	}
	resp, err := answer(t, env.fake, pauseURL, 20*time.Second)
	if err != nil {
		t.Fatalf("no answer while the database is locked: %v\n%s", err, tb.logs)
	}
	if !strings.Contains(visible(resp), "Sorry, something went wrong on my side") {
		t.Errorf("answer while locked = %q, want the apology", visible(resp))
	}
	if strings.Contains(strings.ToLower(visible(resp)), "locked") || strings.Contains(visible(resp), "SQL") {
		t.Errorf("the answer shows a raw error: %q", visible(resp))
	}
	release()
	if sub, err := tb.db.Subscription(context.Background(), "U0ANA"); err != nil || sub.Status != storage.StatusActive {
		t.Errorf("subscription after a failed pause = %q, %v; want active, as before", sub.Status, err)
	}

	// A reply while locked: not acknowledged; the redelivery (3 s later)
	// is stored once the lock is gone.
	release = holdWriteLock(t, env.dbPath)
	ctx = testCtx(t)
	replyID, err := env.fake.SendEventWithID(ctx, dmEvent("U0ANA", nudge.Channel, "1800000000.000200", nudge.TS, "written during the lock"), "EvLOCKED")
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the failed write logged", func() bool { return strings.Contains(tb.logs.String(), "could not record reply") })
	if acked(env.fake, replyID) {
		t.Error("a reply that could not be stored was acknowledged")
	}
	release()
	ack, err := env.fake.WaitAck(testCtx(t), replyID) // a fresh 10 s: the busy timeout used up some of ctx's
	if err != nil {
		t.Fatalf("the reply was not stored after the lock: %v\n%s", err, tb.logs)
	}
	if ack.Attempt == 0 {
		t.Errorf("acknowledged on the first delivery, want a redelivery")
	}
	rs, err := tb.db.Replies(ctx, "U0ANA", d.ID)
	if err != nil || len(rs) != 2 || rs[0].Text != "stored before the lock" || rs[1].Text != "written during the lock" {
		t.Errorf("replies after the lock: %+v, %v", rs, err)
	}
}

// nudgeOnce waits until user has exactly one nudge in their DM and it is
// recorded as sent, then checks that no second one follows.
func nudgeOnce(t *testing.T, tb *testBot, user string) {
	t.Helper()
	waitFor(t, "the nudge", func() bool { return len(nudgeMessages(tb.fake, user)) >= 1 })
	waitFor(t, "the nudge recorded as sent", func() bool {
		ds, _ := tb.db.Deliveries(context.Background(), user, 10)
		return len(ds) == 1 && ds[0].State == storage.StateSent
	})
	settle(t, tb)
	if n := len(nudgeMessages(tb.fake, user)); n != 1 {
		t.Errorf("%s got %d nudges, want exactly 1", user, n)
	}
}

// TestSlackErrors: each error Slack can answer (or a call that times out)
// gets the user a kind answer or marks the delivery failed; nothing
// crashes and nothing stored is lost. A nudge that failed for a reason
// that may pass is sent later by the recovery pass, exactly once.
func TestSlackErrors(t *testing.T) {
	t.Parallel()
	type check func(t *testing.T, tb *testBot, clock *testClock)
	// The user is told the nudge is on its way, not to try again; one who
	// asks again all the same is told it is coming, and gets one nudge.
	nudgeNotSentThenRecovered := func(t *testing.T, tb *testBot, clock *testClock) {
		_, resp := tb.slash(t, "U0ANA", "nudge")
		if !strings.Contains(visible(resp), msgNudgeLate) {
			t.Errorf("answer = %q, want %q", visible(resp), msgNudgeLate)
		}
		ds, _ := tb.db.Deliveries(context.Background(), "U0ANA", 10)
		if len(ds) != 1 || ds[0].State != storage.StateClaimed {
			t.Fatalf("deliveries after the failure: %+v; want one left claimed for recovery", ds)
		}
		clock.Add(time.Second)
		if _, resp := tb.slash(t, "U0ANA", "nudge"); !strings.Contains(visible(resp), msgNudgePending) {
			t.Errorf("answer to asking again = %q, want %q", visible(resp), msgNudgePending)
		}
		if ds, _ := tb.db.Deliveries(context.Background(), "U0ANA", 10); len(ds) != 1 {
			t.Errorf("%d deliveries after asking again, want the one claimed before", len(ds))
		}
		clock.Add(3 * time.Minute) // past staleClaimAfter: the recovery pass takes it
		nudgeOnce(t, tb, "U0ANA")
	}
	// failedForGood: a nudge that Slack refuses for good is answered with
	// want, marked failed and never sent.
	failedForGood := func(want string) func(t *testing.T, tb *testBot, clock *testClock) {
		return func(t *testing.T, tb *testBot, clock *testClock) {
			nudgeFailedForGood(t, tb, clock, want)
		}
	}
	startWithoutTZ := func(t *testing.T, tb *testBot, clock *testClock) {
		_, resp := tb.slash(t, "U0ANA", "start")
		if !strings.Contains(visible(resp), "You're in") || !strings.Contains(visible(resp), "using UTC for now") {
			t.Errorf("start without users.info = %q", visible(resp))
		}
	}
	pressStillRecorded := func(t *testing.T, tb *testBot, clock *testClock) {
		tb.fake.ClearFaults()
		nudge, d := nudged(t, tb, clock, "U0ANA")
		tb.fake.InjectFault("chat.update", 1, slackfake.Fault{SlackError: "message_not_found"})
		click(t, tb.fake, slackfake.Click{UserID: "U0ANA", ActionID: actionNudgeDone, Blocks: nudge.Blocks, ChannelID: nudge.Channel, MessageTS: nudge.TS})
		waitFor(t, "Done recorded", func() bool {
			got, _ := tb.db.Delivery(context.Background(), "U0ANA", d.ID)
			return got.Outcome == storage.OutcomeDone
		})
	}
	replyStillStored := func(t *testing.T, tb *testBot, clock *testClock) {
		tb.fake.ClearFaults()
		nudge, d := nudged(t, tb, clock, "U0ANA")
		tb.fake.InjectFault("chat.postMessage", 1, slackfake.Fault{SlackError: "not_in_channel"})
		sendEvent(t, tb.fake, dmEvent("U0ANA", nudge.Channel, "1800000000.000100", nudge.TS, "did it"), "EvREPLY")
		if n := replyCount(t, tb.db, "U0ANA", d.ID); n != 1 {
			t.Errorf("%d replies stored when the thank-you failed, want 1", n)
		}
	}
	tests := []struct {
		name   string
		method string
		fault  slackfake.Fault
		times  int
		rig    rigOptions
		check  check
	}{
		{"chat.postMessage 500", "chat.postMessage", slackfake.Fault{Status: 500}, 1, rigOptions{}, nudgeNotSentThenRecovered},
		{"chat.postMessage ratelimited in the body", "chat.postMessage", slackfake.Fault{SlackError: "ratelimited"}, 1, rigOptions{}, nudgeNotSentThenRecovered},
		{"chat.postMessage 429 beyond the retries", "chat.postMessage", slackfake.Fault{Status: 429, RetryAfter: 1}, 1, rigOptions{noRetry: true}, nudgeNotSentThenRecovered},
		{"chat.postMessage times out", "chat.postMessage", slackfake.Fault{Delay: 2 * time.Second}, 1, rigOptions{clientTimeout: 300 * time.Millisecond}, nudgeNotSentThenRecovered},
		{"chat.postMessage posted, answer lost", "chat.postMessage", slackfake.Fault{DropAnswer: true}, 1, rigOptions{}, nudgeNotSentThenRecovered},
		{"conversations.open 500", "conversations.open", slackfake.Fault{Status: 500}, 1, rigOptions{}, nudgeNotSentThenRecovered},
		{"conversations.open times out", "conversations.open", slackfake.Fault{Delay: 2 * time.Second}, 1, rigOptions{clientTimeout: 300 * time.Millisecond}, nudgeNotSentThenRecovered},
		{"conversations.history fails during recovery", "conversations.history", slackfake.Fault{Status: 500}, 2, rigOptions{}, func(t *testing.T, tb *testBot, clock *testClock) {
			tb.fake.InjectFault("chat.postMessage", 1, slackfake.Fault{Status: 503})
			tb.slash(t, "U0ANA", "nudge")
			// Each failed check leaves the claim to the next recovery pass.
			for i := 1; i <= 2; i++ {
				clock.Add(3 * time.Minute)
				waitFor(t, "a recovery pass", func() bool { return len(tb.fake.Calls("conversations.history")) >= i })
			}
			clock.Add(3 * time.Minute)
			nudgeOnce(t, tb, "U0ANA")
		}},
		{"chat.postMessage channel_not_found", "chat.postMessage", slackfake.Fault{SlackError: "channel_not_found"}, 1, rigOptions{}, failedForGood(msgNudgeRefused)},
		{"chat.postMessage not_in_channel", "chat.postMessage", slackfake.Fault{SlackError: "not_in_channel"}, 1, rigOptions{}, failedForGood(msgNudgeRefused)},
		{"conversations.open user_not_found", "conversations.open", slackfake.Fault{SlackError: "user_not_found"}, 1, rigOptions{}, failedForGood(msgNudgeRefused)},
		{"chat.postMessage invalid_blocks", "chat.postMessage", slackfake.Fault{SlackError: "invalid_blocks"}, 1, rigOptions{}, failedForGood(msgNudgeBroken)},
		{"users.info user_not_found", "users.info", slackfake.Fault{SlackError: "user_not_found"}, 1, rigOptions{}, startWithoutTZ},
		{"users.info 500", "users.info", slackfake.Fault{Status: 500}, 1, rigOptions{}, startWithoutTZ},
		{"users.info times out", "users.info", slackfake.Fault{Delay: 2 * time.Second}, 1, rigOptions{clientTimeout: 300 * time.Millisecond}, startWithoutTZ},
		{"chat.update message_not_found", "", slackfake.Fault{}, 0, rigOptions{}, pressStillRecorded},
		{"thank-you not_in_channel", "", slackfake.Fault{}, 0, rigOptions{}, replyStillStored},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newClock(monday8)
			env := newRigEnv(t, slackfake.Options{}, clock)
			env.fake.AddUser(slackfake.User{ID: "U0ANA", TZ: "Europe/Berlin"})
			tb := env.startRig(t, Config{}, tt.rig)
			env.fake.InjectFault(tt.method, tt.times, tt.fault)
			tt.check(t, tb, clock)
			if strings.Contains(tb.logs.String(), "handler panicked") {
				t.Errorf("a handler panicked:\n%s", tb.logs)
			}
			if _, resp := tb.slash(t, "U0ANA", "help"); !strings.Contains(visible(resp), "/lead-tip topics") {
				t.Error("the bot no longer answers")
			}
		})
	}
}

// TestAuthTestFailingAtStart: auth.test failing with 5xx or timing out at
// start is retried with backoff until it answers; the bot then connects.
func TestAuthTestFailingAtStart(t *testing.T) {
	t.Parallel()
	env := newRigEnv(t, slackfake.Options{}, nil)
	env.fake.InjectFault("auth.test", 2, slackfake.Fault{Status: 500})
	env.fake.InjectFault("auth.test", 1, slackfake.Fault{Delay: time.Second})
	tb := env.startRig(t, Config{}, rigOptions{clientTimeout: 300 * time.Millisecond})
	if n := len(env.fake.Calls("auth.test")); n < 4 {
		t.Errorf("%d auth.test calls, want 4 (three failures, then success)", n)
	}
	if !eventually(5*time.Second, tb.Connected) {
		t.Error("not connected")
	}
}

// subscribeDue stores n users whose Monday 09:30 slot is due.
func subscribeDue(t *testing.T, env *testEnv, clock *testClock, slot time.Time, n int) []string {
	t.Helper()
	return storeDue(t, env, clock, slot, n, time.Time{})
}

// storeDue is subscribeDue, with the users' Home tab last opened at
// homeOpened (zero: never).
func storeDue(t *testing.T, env *testEnv, clock *testClock, slot time.Time, n int, homeOpened time.Time) []string {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, env.dbPath, storage.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ids []string
	for i := range n {
		id := "U0USER" + string(rune('A'+i))
		ids = append(ids, id)
		env.fake.AddUser(slackfake.User{ID: id, TZ: "Europe/Berlin"})
		if err := db.SaveUser(ctx, storage.User{ID: id, TeamID: "T0LEAD", TZ: "Europe/Berlin", TZCheckedAt: clock.Now(), HomeOpened: homeOpened}); err != nil {
			t.Fatal(err)
		}
		if err := db.SaveSubscription(ctx, storage.Subscription{UserID: id, Days: uint8(defaultDays), Minute: defaultMinute,
			Status: storage.StatusActive, NextAt: slot}); err != nil {
			t.Fatal(err)
		}
	}
	return ids
}

// TestShutdownWhileSending: the bot is stopped (SIGTERM cancels Run's
// context) while nudges are being posted.
func TestShutdownWhileSending(t *testing.T) {
	t.Parallel()
	slot := time.Date(2026, 11, 23, 9, 30, 0, 0, berlin)

	// Posts in flight finish and are recorded before Run returns, and the
	// shutdown logs no error.
	t.Run("in-flight posts finish", func(t *testing.T) {
		t.Parallel()
		clock := newClock(slot.Add(5 * time.Second))
		env := newRigEnv(t, slackfake.Options{}, clock)
		ids := subscribeDue(t, env, clock, slot, 12)
		env.fake.InjectFault("chat.postMessage", 1000, slackfake.Fault{Delay: time.Second})
		tb := env.startRig(t, Config{SendWorkers: 16}, rigOptions{})
		waitFor(t, "every post in flight", func() bool {
			ds, _ := tb.db.StaleClaims(context.Background(), clock.Now().Add(time.Hour), 100)
			return len(ds) == len(ids)
		})
		if err := tb.stop(); err != nil {
			t.Fatalf("Run after shutdown = %v, want nil", err)
		}
		checkNoHalfRecorded(t, env, ids, true)
		if strings.Contains(tb.logs.String(), "level=ERROR") {
			t.Errorf("errors logged by a clean shutdown:\n%s", tb.logs)
		}
	})

	// The shutdown comes half-way through: what was claimed is sent and
	// recorded, the rest is sent late after a restart; each user gets
	// exactly one nudge, and no delivery is ever half-recorded.
	t.Run("slots not reached are sent after a restart", func(t *testing.T) {
		t.Parallel()
		clock := newClock(slot.Add(5 * time.Second))
		env := newRigEnv(t, slackfake.Options{}, clock)
		ids := subscribeDue(t, env, clock, slot, 24)
		env.fake.InjectFault("chat.postMessage", 1000, slackfake.Fault{Delay: 150 * time.Millisecond})
		tb := env.startRig(t, Config{SendWorkers: 2}, rigOptions{})
		waitFor(t, "the first nudges", func() bool { return len(env.fake.Calls("chat.postMessage")) >= 3 })
		if err := tb.stop(); err != nil {
			t.Fatalf("Run after shutdown = %v, want nil", err)
		}
		if posted := len(env.fake.Messages("")); posted == 0 || posted >= len(ids) {
			t.Fatalf("%d of %d nudges posted before the shutdown finished; the test needs some, not all", posted, len(ids))
		}
		checkNoHalfRecorded(t, env, ids, false)

		clock.Add(5 * time.Minute)
		env.fake.ClearFaults()
		tb = env.startRig(t, Config{}, rigOptions{})
		for _, id := range ids {
			waitFor(t, id+"'s nudge recorded", func() bool {
				ds, _ := tb.db.Deliveries(context.Background(), id, 10)
				return len(ds) >= 1 && ds[0].State == storage.StateSent
			})
		}
		if err := tb.stop(); err != nil {
			t.Fatal(err)
		}
		checkNoHalfRecorded(t, env, ids, true)
	})
}

// checkNoHalfRecorded checks that each delivery recorded as sent is the one
// message in its user's DM, and that a delivery not recorded as sent was
// not posted. all requires every user to have been sent theirs.
func checkNoHalfRecorded(t *testing.T, env *testEnv, users []string, all bool) {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, env.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, u := range users {
		ds, err := db.Deliveries(ctx, u, 10)
		if err != nil {
			t.Fatal(err)
		}
		msgs := nudgeMessages(env.fake, u)
		switch {
		case len(ds) > 1:
			t.Errorf("%s: %d deliveries for one slot", u, len(ds))
		case len(ds) == 0 && len(msgs) > 0:
			t.Errorf("%s: a nudge posted with no delivery recorded", u)
		case len(ds) == 1 && ds[0].State == storage.StateSent && (len(msgs) != 1 || msgs[0].TS != ds[0].TS):
			t.Errorf("%s: delivery recorded as sent (ts %s) but %d messages posted", u, ds[0].TS, len(msgs))
		case len(ds) == 1 && ds[0].State != storage.StateSent && len(msgs) > 0:
			t.Errorf("%s: delivery %s but the nudge was posted", u, ds[0].State)
		case all && (len(ds) != 1 || ds[0].State != storage.StateSent):
			t.Errorf("%s: deliveries %+v, want one sent", u, ds)
		}
	}
}

// TestNudgeAnswerAckedOnceStored: a press on Done is acknowledged only
// after it is stored (here, after another process's lock on the database
// is released), so a crash can never lose an acknowledged answer.
func TestNudgeAnswerAckedOnceStored(t *testing.T) {
	t.Parallel()
	clock := newClock(monday8)
	env := newRigEnv(t, slackfake.Options{}, clock)
	env.fake.AddUser(slackfake.User{ID: "U0ANA", TZ: "Europe/Berlin"})
	tb := env.startRig(t, Config{}, rigOptions{})
	nudge, d := nudged(t, tb, clock, "U0ANA")

	release := holdWriteLock(t, env.dbPath)
	id, err := env.fake.ClickButton(testCtx(t), slackfake.Click{UserID: "U0ANA", ActionID: actionNudgeDone, Blocks: nudge.Blocks,
		ChannelID: nudge.Channel, MessageTS: nudge.TS})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	if acked(env.fake, id) {
		t.Error("the press was acknowledged before it was stored")
	}
	release()
	if _, err := env.fake.WaitAck(testCtx(t), id); err != nil {
		t.Fatal(err)
	}
	if got, _ := tb.db.Delivery(context.Background(), "U0ANA", d.ID); got.Outcome != storage.OutcomeDone {
		t.Errorf("outcome after the ack = %q, want done", got.Outcome)
	}
}

// TestBotTokenDeadWhileRunning: when Slack starts answering that the bot
// token is revoked, Run stops with socket.ErrAuth naming SLACK_BOT_TOKEN instead
// of failing every call; the nudge it was sending is not marked failed but
// left claimed, and is delivered once after a restart with a good token.
func TestBotTokenDeadWhileRunning(t *testing.T) {
	t.Parallel()
	clock := newClock(monday8)
	env := newRigEnv(t, slackfake.Options{}, clock)
	env.fake.AddUser(slackfake.User{ID: "U0ANA", TZ: "Europe/Berlin"})
	tb := env.startRig(t, Config{}, rigOptions{})
	tb.slash(t, "U0ANA", "start") // users.info and the DM channel are known before the token dies
	env.fake.InjectFault("", 1000, slackfake.Fault{SlackError: "token_revoked"})
	_, url := sendCommand(t, env.fake, "U0ANA", "nudge")
	if resp, err := answer(t, env.fake, url, 10*time.Second); err != nil || !strings.Contains(visible(resp), msgNudgeLate) {
		t.Errorf("answer while the token is dead = %q, %v", visible(resp), err)
	}
	done := make(chan error, 1)
	go func() { done <- tb.stop() }()
	select {
	case err := <-done:
		if !errors.Is(err, socket.ErrAuth) || !strings.Contains(err.Error(), "SLACK_BOT_TOKEN") || !strings.Contains(err.Error(), "token_revoked") {
			t.Errorf("Run = %v, want socket.ErrAuth naming SLACK_BOT_TOKEN and token_revoked", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop")
	}
	ds, _ := tb.db.Deliveries(context.Background(), "U0ANA", 10)
	if len(ds) != 1 || ds[0].State != storage.StateClaimed {
		t.Fatalf("deliveries = %+v, want one left claimed", ds)
	}

	env.fake.ClearFaults()
	clock.Add(3 * time.Minute)
	tb2 := env.startRig(t, Config{}, rigOptions{})
	nudgeOnce(t, tb2, "U0ANA")
}

// failWrites makes every write to table in the database at path fail, as
// a full disk would, until the returned function is called.
func failWrites(t *testing.T, path, table string) (restore func()) {
	t.Helper()
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range []string{"INSERT", "UPDATE"} {
		q := fmt.Sprintf(`CREATE TRIGGER fail_%s_%s BEFORE %s ON %s BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END`,
			strings.ToLower(op), table, op, table)
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	return func() {
		for _, op := range []string{"insert", "update"} {
			if _, err := db.ExecContext(ctx, fmt.Sprintf(`DROP TRIGGER fail_%s_%s`, op, table)); err != nil {
				t.Fatal(err)
			}
		}
		db.Close()
	}
}

// TestNudgeAnswerNotAckedWhenNotStored: a press on Done that cannot be
// stored is not acknowledged (Slack shows the user it did not work) and the
// user is asked to press again; the next press, once writes work, is.
func TestNudgeAnswerNotAckedWhenNotStored(t *testing.T) {
	t.Parallel()
	clock := newClock(monday8)
	env := newRigEnv(t, slackfake.Options{AckTimeout: time.Hour}, clock)
	env.fake.AddUser(slackfake.User{ID: "U0ANA", TZ: "Europe/Berlin"})
	tb := env.startRig(t, Config{}, rigOptions{})
	nudge, d := nudged(t, tb, clock, "U0ANA")

	restore := failWrites(t, env.dbPath, "deliveries")
	press := slackfake.Click{UserID: "U0ANA", ActionID: actionNudgeDone, Blocks: nudge.Blocks, ChannelID: nudge.Channel, MessageTS: nudge.TS}
	id, err := env.fake.ClickButton(testCtx(t), press)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.fake.WaitResponsePost(testCtx(t), func(p slackfake.ResponsePost) bool {
		return strings.Contains(slackfake.VisibleText(p.Text, p.Blocks), msgNotSaved)
	}); err != nil {
		t.Fatalf("the user was not told the press was not saved: %v", err)
	}
	settle(t, tb)
	if acked(env.fake, id) {
		t.Error("a press that was not stored was acknowledged")
	}
	restore()
	click(t, env.fake, press)
	if got, _ := tb.db.Delivery(context.Background(), "U0ANA", d.ID); got.Outcome != storage.OutcomeDone {
		t.Errorf("outcome after the second press = %q, want done", got.Outcome)
	}
}

// TestScheduleFormAckedOnceStored: a schedule form that cannot be stored
// stays open with a line saying so (its acknowledgement carries the error);
// nothing is stored; once writes work, the same form closes and is stored.
func TestScheduleFormAckedOnceStored(t *testing.T) {
	t.Parallel()
	env := newRigEnv(t, slackfake.Options{}, newClock(monday8))
	env.fake.AddUser(slackfake.User{ID: "U0ANA", TZ: "Europe/Berlin"})
	tb := env.startRig(t, Config{}, rigOptions{})
	tb.slash(t, "U0ANA", "start mon 09:30")

	restore := failWrites(t, env.dbPath, "subscriptions")
	if got := viewSubmission(t, env.fake, "U0ANA", []string{"2", "4"}, "07:15"); !strings.Contains(got, "errors") || !strings.Contains(got, msgNotSaved) {
		t.Errorf("a form that could not be stored was answered %s; want it kept open with the error", got)
	}
	if s, _ := tb.db.Subscription(context.Background(), "U0ANA"); s.Minute != 9*60+30 {
		t.Errorf("schedule changed to minute %d although the write failed", s.Minute)
	}
	restore()
	if got := viewSubmission(t, env.fake, "U0ANA", []string{"2", "4"}, "07:15"); got != "" && got != "null" && got != "{}" {
		t.Errorf("a stored form was answered %s; want an empty acknowledgement, which closes it", got)
	}
	if s, _ := tb.db.Subscription(context.Background(), "U0ANA"); s.Minute != 7*60+15 {
		t.Errorf("schedule minute %d after the stored form, want 07:15", s.Minute)
	}
}

// TestOwnNudgeAfterForget: after forget, pressing a button on one's own
// old nudge says the nudge was deleted with one's data, not that it is
// someone else's.
func TestOwnNudgeAfterForget(t *testing.T) {
	t.Parallel()
	clock := newClock(monday8)
	env := newRigEnv(t, slackfake.Options{}, clock)
	env.fake.AddUser(slackfake.User{ID: "U0ANA", TZ: "Europe/Berlin"})
	tb := env.startRig(t, Config{}, rigOptions{})
	nudge, _ := nudged(t, tb, clock, "U0ANA")
	_, confirm := tb.slash(t, "U0ANA", "forget")
	click(t, env.fake, slackfake.Click{UserID: "U0ANA", ActionID: actionForgetConfirm, Blocks: confirm.Blocks, ChannelID: "DU0ANA", Ephemeral: true})
	waitFor(t, "the data forgotten", func() bool {
		ds, _ := tb.db.Deliveries(context.Background(), "U0ANA", 10)
		return len(ds) == 0
	})
	click(t, env.fake, slackfake.Click{UserID: "U0ANA", ActionID: actionNudgeDone, Blocks: nudge.Blocks, ChannelID: nudge.Channel, MessageTS: nudge.TS})
	resp, err := env.fake.WaitResponsePost(testCtx(t), func(p slackfake.ResponsePost) bool {
		text := slackfake.VisibleText(p.Text, p.Blocks)
		return strings.Contains(text, msgNudgeForgotten) || strings.Contains(text, msgNotYours)
	})
	if err != nil {
		t.Fatal(err)
	}
	if text := slackfake.VisibleText(resp.Text, resp.Blocks); !strings.Contains(text, msgNudgeForgotten) {
		t.Errorf("press on one's own forgotten nudge answered:\n%s", text)
	}
}

// nudgeFailedForGood: /lead-tip nudge, which Slack refuses for good, is
// answered with want; the delivery is marked failed and never sent.
func nudgeFailedForGood(t *testing.T, tb *testBot, clock *testClock, want string) {
	t.Helper()
	_, resp := tb.slash(t, "U0ANA", "nudge")
	if !strings.Contains(visible(resp), want) {
		t.Errorf("answer = %q, want %q", visible(resp), want)
	}
	waitFor(t, "the delivery marked failed", func() bool {
		ds, _ := tb.db.Deliveries(context.Background(), "U0ANA", 10)
		return len(ds) == 1 && ds[0].State == storage.StateFailed
	})
	clock.Add(3 * time.Minute)
	settle(t, tb)
	if n := len(nudgeMessages(tb.fake, "U0ANA")); n != 0 {
		t.Errorf("a failed delivery was sent %d times", n)
	}
}
