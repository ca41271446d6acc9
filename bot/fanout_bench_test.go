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
)

// BenchmarkFanout measures the nudge fan-out: -fanout.users users, all
// due in the same minute, with their DM channels known (steady state),
// against a fake Slack that allows -fanout.limit calls per second and
// answers 429 (Retry-After: 1) beyond. It runs the real scheduler with the
// bot's send rate at the limit and above it, checks that every user got
// exactly one nudge, and reports the time taken against the ideal
// users/limit seconds. A send that runs out of 429 retries is left to the
// recovery pass, which the benchmark lets run by moving the bot's clock on
// when nothing went out for two seconds (recovery_passes counts that). Run it with
//
//	go test ./bot/ -run XXX -bench Fanout -benchtime 1x              # 1,000 users
//	go test ./bot/ -run XXX -bench Fanout -benchtime 1x -timeout 30m -fanout.users 10000
func BenchmarkFanout(b *testing.B) {
	n, limit := *fanoutUsers, *fanoutLimit
	for _, sendRate := range []float64{limit, 1.5 * limit} {
		b.Run(fmt.Sprintf("users=%d/send_rate=%g", n, sendRate), func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				fanoutOnce(b, n, limit, *fanoutBurst, sendRate)
			}
		})
	}
}

// fanoutOnce runs one fan-out in a fresh environment; the timer runs only
// while the nudges go out.
func fanoutOnce(b *testing.B, n int, limit float64, burst int, sendRate float64) {
	slot := time.Date(2026, 11, 23, 9, 30, 0, 0, berlin) // a Monday
	clock := newClock(slot.Add(-time.Minute))
	env := newEnv(b, clock)
	seedDue(b, env.dbPath, n, slot)
	env.fake.SetRateLimit(limit, burst)
	tb := env.start(b, Config{SendRate: sendRate})
	calls := func() []slackfake.Call { return env.fake.Calls("chat.postMessage") }

	b.StartTimer()
	start := time.Now()
	clock.Set(slot.Add(time.Second))
	tb.poke()
	sent, recoveries := 0, 0
	deadline := start.Add(time.Duration(float64(n)/limit*float64(time.Second))*5 + time.Minute)
	lastProgress := time.Now()
	for sent < n && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		now := countOK(calls())
		if now > sent {
			sent, lastProgress = now, time.Now()
			continue
		}
		// Above Slack's limit a send can run out of 429 retries; it stays
		// claimed and the recovery pass sends it once the claim is stale.
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

	time.Sleep(200 * time.Millisecond) // several scheduler ticks: nothing more may go out
	perChannel := map[string]int{}
	for _, c := range calls() {
		if c.Status == 200 && c.SlackError == "" {
			perChannel[c.Params["channel"]]++
		}
	}
	for i := range n {
		if got := perChannel["D"+fanoutUser(i)]; got != 1 {
			b.Fatalf("%s got %d nudges, want exactly 1 (%d of %d sent in %s)", fanoutUser(i), got, sent, n, elapsed)
		}
	}
	if len(perChannel) != n {
		b.Fatalf("nudges went to %d channels, want %d", len(perChannel), n)
	}
	if opened := len(env.fake.Calls("conversations.open")); opened != 0 {
		b.Errorf("conversations.open called %d times with every DM channel known", opened)
	}
	ideal := time.Duration(float64(n) / limit * float64(time.Second))
	b.ReportMetric(elapsed.Seconds(), "s")
	b.ReportMetric(elapsed.Seconds()/ideal.Seconds(), "x_ideal")
	b.ReportMetric(float64(env.fake.RateLimited("chat.postMessage")), "429s")
	b.ReportMetric(float64(recoveries), "recovery_passes")
	b.ReportMetric(0, "ns/op") // one fan-out per op; the seconds above say it
}

func countOK(calls []slackfake.Call) int {
	n := 0
	for _, c := range calls {
		if c.Status == 200 && c.SlackError == "" {
			n++
		}
	}
	return n
}

func fanoutUser(i int) string { return fmt.Sprintf("U%06d", i) }

// seedDue saves n users in Berlin with known DM channels, each subscribed
// on Mondays at 09:30 with slot as their next delivery.
func seedDue(b *testing.B, path string, n int, slot time.Time) {
	b.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, filepath.Clean(path))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	for i := range n {
		id := fanoutUser(i)
		if err := db.SaveUser(ctx, storage.User{ID: id, TeamID: "T0LEAD", TZ: "Europe/Berlin",
			TZCheckedAt: slot, DMChannel: "D" + id}); err != nil {
			b.Fatal(err)
		}
		if err := db.SaveSubscription(ctx, storage.Subscription{UserID: id, Days: 1 << time.Monday,
			Minute: 9*60 + 30, Status: storage.StatusActive, NextAt: slot}); err != nil {
			b.Fatal(err)
		}
	}
}
