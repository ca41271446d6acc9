package bot

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/leadcoach/leadbot/bot/slackfake"
	"github.com/leadcoach/leadbot/storage"
)

// Flags of BenchmarkFanout. The quick run (1,000 users) takes about 10 s
// per case; -fanout.users=10000 is the full run, about 100 s per case.
var (
	fanoutUsers = flag.Int("fanout.users", 1000, "BenchmarkFanout: subscribed users due in the same minute")
	fanoutLimit = flag.Float64("fanout.limit", 100, "BenchmarkFanout: the fake Slack's rate limit, calls per second, 429 beyond")
	fanoutBurst = flag.Int("fanout.burst", 10, "BenchmarkFanout: the fake Slack's burst above its rate")
	fanoutLost  = flag.Float64("fanout.lost", 0, "BenchmarkFanout: share of chat.postMessage answers lost after Slack posted (0 to 1)")
	fanoutSeed  = flag.Uint64("fanout.seed", 1, "BenchmarkFanout: seed choosing the posts whose answer is lost")
)

// BenchmarkFanout measures the nudge fan-out: -fanout.users users, all
// due in the same minute, with their DM channels known (steady state),
// against a fake Slack that allows -fanout.limit calls per second and
// answers 429 (Retry-After: 1) beyond, and that loses the answer to a
// share -fanout.lost of the posts after posting them. It runs the real
// scheduler with the bot's send rate at the limit and above it, checks
// that every user got exactly one nudge, recorded as sent with its ts, and
// reports the time taken against the ideal users/limit seconds, and the
// users with more than one nudge (duplicated), none (missing) or one not
// recorded as sent (unrecorded). A send that runs out of 429 retries, or
// whose answer was lost, is left to the recovery pass, which the benchmark
// lets run by moving the bot's clock on when nothing happened for two
// seconds (recovery_passes counts that). Run it with
//
//	go test ./bot/ -run XXX -bench Fanout -benchtime 1x              # 1,000 users
//	go test ./bot/ -run XXX -bench Fanout -benchtime 1x -timeout 30m -fanout.users 10000
//	go test ./bot/ -run XXX -bench Fanout -benchtime 1x -fanout.lost 0.05 -fanout.limit 1000 -v
func BenchmarkFanout(b *testing.B) {
	f := fanout{users: *fanoutUsers, limit: *fanoutLimit, burst: *fanoutBurst, lost: *fanoutLost, seed: *fanoutSeed}
	for _, sendRate := range []float64{f.limit, 1.5 * f.limit} {
		f.sendRate = sendRate
		b.Run(fmt.Sprintf("users=%d/send_rate=%g/lost=%g", f.users, sendRate, f.lost), func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				f.once(b)
			}
		})
	}
}

// fanout is one case of BenchmarkFanout (see its flags).
type fanout struct {
	users    int
	limit    float64
	burst    int
	sendRate float64
	lost     float64
	seed     uint64
}

// once runs one fan-out in a fresh environment; the timer runs only while
// the nudges go out and are recorded.
func (f fanout) once(b *testing.B) {
	n := f.users
	slot := time.Date(2026, 11, 23, 9, 30, 0, 0, berlin) // a Monday
	clock := newClock(slot.Add(-time.Minute))
	env := newEnv(b, clock)
	ids := seedDue(b, env.dbPath, n, slot)
	env.fake.SetRateLimit(f.limit, f.burst)
	env.fake.InjectFaultRate("chat.postMessage", f.lost, f.seed, slackfake.Fault{DropAnswer: true})
	tb := env.start(b, Config{SendRate: f.sendRate})
	// progress counts the users Slack posted a nudge to, less the
	// deliveries not yet recorded; done says whether every user has one
	// and none is left unrecorded.
	progress := func() (int, bool) {
		posted := map[string]bool{}
		for _, c := range env.fake.Calls("chat.postMessage") {
			if c.Lost || (c.Status == 200 && c.SlackError == "") {
				posted[c.Params["channel"]] = true
			}
		}
		claimed, err := tb.db.StaleClaims(context.Background(), clock.Now().Add(time.Hour), n)
		if err != nil {
			b.Fatal(err)
		}
		return len(posted) - len(claimed), len(posted) == n && len(claimed) == 0
	}

	b.StartTimer()
	start := time.Now()
	clock.Set(slot.Add(time.Second))
	tb.poke()
	recoveries, last := 0, -1
	deadline := start.Add(time.Duration(float64(n)/f.limit*float64(time.Second))*5 + time.Minute)
	lastProgress := time.Now()
	for time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		now, done := progress()
		if done {
			break
		}
		if now != last {
			last, lastProgress = now, time.Now()
			continue
		}
		// Above Slack's limit a send can run out of 429 retries, and a
		// post whose answer was lost is not sent again; either stays
		// claimed and the recovery pass takes it once the claim is stale.
		// The bot's clock is frozen here, so move it on as time would.
		if time.Since(lastProgress) > 2*time.Second {
			clock.Add(staleClaimAfter + time.Second)
			tb.poke()
			recoveries++
			lastProgress = time.Now()
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()

	settle(b, tb) // nothing more may go out
	got := tallyNudges(b, env.fake, tb.db, ids)
	lost := len(lostAnswers(env.fake, "chat.postMessage"))
	b.Logf("%d users, %d answers to posts lost, %d recovery passes: %d users with duplicates, %d without a nudge, %d not recorded as sent with their nudge's ts (%s)",
		n, lost, recoveries, got.duplicated, got.missing, got.unrecorded, elapsed.Round(time.Millisecond))
	if got != (nudgeTally{}) {
		b.Errorf("want every user to have exactly one nudge, recorded as sent with its ts")
	}
	if opened := len(env.fake.Calls("conversations.open")); opened != 0 {
		b.Errorf("conversations.open called %d times with every DM channel known", opened)
	}
	ideal := time.Duration(float64(n) / f.limit * float64(time.Second))
	b.ReportMetric(elapsed.Seconds(), "s")
	b.ReportMetric(elapsed.Seconds()/ideal.Seconds(), "x_ideal")
	b.ReportMetric(float64(env.fake.RateLimited("chat.postMessage")), "429s")
	b.ReportMetric(float64(lost), "lost_answers")
	b.ReportMetric(float64(recoveries), "recovery_passes")
	b.ReportMetric(float64(got.duplicated), "duplicated")
	b.ReportMetric(float64(got.missing), "missing")
	b.ReportMetric(0, "ns/op") // one fan-out per op; the seconds above say it
}

// nudgeTally counts, over some users, those with more than one nudge in
// their DM (duplicated), those with none (missing), and those whose
// delivery is not the one recorded sent with the ts of their one nudge
// (unrecorded).
type nudgeTally struct{ duplicated, missing, unrecorded int }

// tallyNudges checks each of users' DM (top-level "New challenge"
// messages) against their deliveries in db.
func tallyNudges(tb testing.TB, fake *slackfake.Server, db *storage.DB, users []string) nudgeTally {
	tb.Helper()
	nudges := map[string][]slackfake.Message{}
	for _, m := range fake.Messages("") {
		if isNudge(m) {
			nudges[m.Channel] = append(nudges[m.Channel], m)
		}
	}
	var got nudgeTally
	for _, u := range users {
		msgs := nudges["D"+u]
		switch {
		case len(msgs) == 0:
			got.missing++
		case len(msgs) > 1:
			got.duplicated++
		}
		ds, err := db.Deliveries(context.Background(), u, 10)
		if err != nil {
			tb.Fatal(err)
		}
		if len(msgs) != 1 || len(ds) != 1 || ds[0].State != storage.StateSent || ds[0].TS != msgs[0].TS {
			got.unrecorded++
		}
	}
	return got
}

// lostAnswers returns the calls of method whose answer was lost.
func lostAnswers(fake *slackfake.Server, method string) []slackfake.Call {
	var out []slackfake.Call
	for _, c := range fake.Calls(method) {
		if c.Lost {
			out = append(out, c)
		}
	}
	return out
}

func fanoutUser(i int) string { return fmt.Sprintf("U%06d", i) }

// userIDs returns the ids of n users from the i-th on.
func userIDs(i, n int) []string {
	ids := make([]string, n)
	for j := range ids {
		ids[j] = fanoutUser(i + j)
	}
	return ids
}

// seedDue saves n users in Berlin with known DM channels, each subscribed
// on Mondays at 09:30 with slot as their next delivery, and returns their
// ids.
func seedDue(tb testing.TB, path string, n int, slot time.Time) []string {
	tb.Helper()
	ids := userIDs(0, n)
	seedSubscribers(tb, path, ids, slot, storage.Subscription{Days: 1 << time.Monday, Minute: 9*60 + 30,
		Status: storage.StatusActive, NextAt: slot})
	return ids
}

// seedSubscribers saves users ids in Berlin, their DM channel "D"+id and
// their timezone known as of now, each with a copy of sub.
func seedSubscribers(tb testing.TB, path string, ids []string, now time.Time, sub storage.Subscription) {
	tb.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, filepath.Clean(path))
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	for _, id := range ids {
		if err := db.SaveUser(ctx, storage.User{ID: id, TeamID: "T0LEAD", TZ: "Europe/Berlin",
			TZCheckedAt: now, DMChannel: "D" + id}); err != nil {
			tb.Fatal(err)
		}
		sub.UserID = id
		if err := db.SaveSubscription(ctx, sub); err != nil {
			tb.Fatal(err)
		}
	}
}
