package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/leadcoach/leadbot/bot/slackfake"
	"github.com/leadcoach/leadbot/storage"
)

// crashSeed makes the kill delays and the order of the stream repeatable.
const crashSeed = 20261123

// TestCrashSafety kills the real binary with SIGKILL at a random moment
// while replies (message.im events in nudge threads) and button presses
// stream in, then starts it again. Right after the kill, every reply whose
// envelope was acknowledged is in the database, once, and every press that
// was acknowledged is recorded. After the restart the fake Slack redelivers
// what was never acknowledged, as Slack does; then every reply is stored
// exactly once and every nudge has its answer. Sixteen kill delays, seeded;
// each crash has its own fake Slack, database and process, so they run in
// parallel (most of a crash is waiting for processes and sockets).
func TestCrashSafety(t *testing.T) {
	const kills = 16
	rng := rand.New(rand.NewPCG(crashSeed, 0))
	leadbotBinary(t) // build before the clock starts
	start := time.Now()
	t.Run("kills", func(t *testing.T) {
		for range kills {
			delay := time.Duration(rng.IntN(300)) * time.Millisecond
			seed := rng.Uint64()
			t.Run(fmt.Sprintf("kill after %v", delay), func(t *testing.T) {
				t.Parallel()
				crashOnce(t, delay, seed)
			})
		}
	})
	t.Logf("%d crashes in %v (seed %d)", kills, time.Since(start).Round(time.Millisecond), crashSeed)
}

// streamed is one envelope sent to the bot during the crash test.
type streamed struct {
	envelope string
	user     string
	ts       string // a reply's message ts; "" for a press
}

func crashOnce(t *testing.T, delay time.Duration, seed uint64) {
	fake, err := slackfake.New(slackfake.Options{PingInterval: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fake.Close() })
	users := []string{"U0ANA", "U0BEN"}
	for _, u := range users {
		fake.AddUser(slackfake.User{ID: u, TZ: "Europe/Berlin"})
	}
	dbPath := filepath.Join(t.TempDir(), "leadbot.db")
	vars := binaryEnv(fake, dbPath)
	p := startConnected(t, fake, vars)

	// Each user gets a nudge to answer.
	nudges := map[string]slackfake.Message{}
	for _, u := range users {
		url := fake.NewResponseURL()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if _, err := fake.SendSlashCommand(ctx, slack.SlashCommand{UserID: u, Text: "nudge", ResponseURL: url}); err != nil {
			t.Fatal(err)
		}
		resp, err := fake.WaitResponsePost(ctx, func(r slackfake.ResponsePost) bool { return strings.HasSuffix(url, r.Path) })
		cancel()
		if err != nil || !strings.Contains(slackfake.VisibleText(resp.Text, resp.Blocks), "Sent") {
			t.Fatalf("/lead-tip nudge for %s: %v\n%s", u, err, p.out)
		}
		for _, m := range fake.Messages("D" + u) {
			if m.ThreadTS == "" {
				nudges[u] = m
			}
		}
	}

	// The stream: 12 replies and 3 presses per user, shuffled, 4 ms apart;
	// the kill lands somewhere in it (or just after).
	rng := rand.New(rand.NewPCG(seed, 1))
	type item struct {
		user  string
		reply int    // reply number, or -1 for a press
		press string // action id of a press
	}
	var items []item
	for _, u := range users {
		for i := range 12 {
			items = append(items, item{user: u, reply: i})
		}
		for _, a := range []string{"nudge_done", "nudge_not_yet", "nudge_skip"} {
			items = append(items, item{user: u, reply: -1, press: a})
		}
	}
	rng.Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })

	var mu sync.Mutex
	var sent []streamed
	streamDone := make(chan struct{})
	go func() {
		defer close(streamDone)
		ctx := context.Background()
		for _, it := range items {
			n := nudges[it.user]
			var s streamed
			var err error
			if it.reply >= 0 {
				s = streamed{user: it.user, ts: fmt.Sprintf("1800000000.%s%02d", it.user[3:], it.reply)}
				s.envelope, err = fake.SendEventWithID(ctx, map[string]any{"type": "message", "channel": n.Channel, "user": it.user,
					"text": fmt.Sprintf("reply %d of %s", it.reply, it.user), "ts": s.ts, "thread_ts": n.TS, "channel_type": "im"},
					fmt.Sprintf("Ev%s%02d", it.user, it.reply))
			} else {
				s = streamed{user: it.user}
				s.envelope, err = fake.ClickButton(ctx, slackfake.Click{UserID: it.user, ActionID: it.press, Blocks: n.Blocks,
					ChannelID: n.Channel, MessageTS: n.TS})
			}
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			sent = append(sent, s)
			mu.Unlock()
			time.Sleep(4 * time.Millisecond)
		}
	}()
	time.Sleep(delay)
	p.kill()
	// Once the fake has seen the connection close, every ack the process
	// wrote before it died has been read.
	pollUntil(t, "the fake to see the connection close", func() bool { return fake.Connections() == 0 })
	ackedBeforeKill := map[string]bool{}
	for _, a := range fake.Acks() {
		ackedBeforeKill[a.EnvelopeID] = true
	}
	<-streamDone
	mu.Lock()
	all := append([]streamed(nil), sent...)
	mu.Unlock()
	if len(all) != len(items) {
		t.Fatalf("sent %d of %d envelopes", len(all), len(items))
	}

	// Right after the kill: what was acknowledged is stored.
	acked := 0
	st := readState(t, dbPath, users)
	for _, s := range all {
		if !ackedBeforeKill[s.envelope] {
			continue
		}
		acked++
		switch {
		case s.ts != "" && st.replies[s.ts] != 1:
			t.Errorf("reply %s was acknowledged before the kill but is stored %d times", s.ts, st.replies[s.ts])
		case s.ts == "" && st.outcome[s.user] == "":
			t.Errorf("a press by %s was acknowledged before the kill but no answer is recorded", s.user)
		}
	}

	// After a restart everything is delivered again and stored once.
	p = startConnected(t, fake, vars)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, s := range all {
		if _, err := fake.WaitAck(ctx, s.envelope); err != nil {
			t.Fatalf("envelope not acknowledged after the restart: %v\n%s", err, p.out)
		}
	}
	if code := p.terminate(20 * time.Second); code != 0 {
		t.Errorf("exit status %d after SIGTERM, want 0\n%s", code, p.out)
	}
	st = readState(t, dbPath, users)
	replies := 0
	for _, s := range all {
		if s.ts == "" {
			continue
		}
		replies++
		if st.replies[s.ts] != 1 {
			t.Errorf("reply %s stored %d times, want exactly once", s.ts, st.replies[s.ts])
		}
	}
	if st.total != replies {
		t.Errorf("%d replies stored, want %d", st.total, replies)
	}
	for _, u := range users {
		if st.outcome[u] == "" || st.outcome[u] == storage.OutcomeReplied {
			t.Errorf("%s's presses: outcome %q, want the first button pressed", u, st.outcome[u])
		}
		n := nudges[u]
		thanks := 0
		for _, m := range fake.Messages(n.Channel) {
			if m.ThreadTS == n.TS {
				thanks++
			}
		}
		if thanks > 1 {
			t.Errorf("%s was thanked %d times in one thread, want at most once", u, thanks)
		}
	}
	noTokens(t, "the logs", p.out.String())
	t.Logf("%d of %d envelopes acknowledged before the kill", acked, len(all))
}

// dbState is what the crash test reads back from the database.
type dbState struct {
	replies map[string]int    // by message ts
	outcome map[string]string // by user: the outcome of their one nudge
	total   int
}

func readState(t *testing.T, path string, users []string) dbState {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, path)
	if err != nil {
		t.Fatalf("open the database after the crash: %v", err)
	}
	defer db.Close()
	st := dbState{replies: map[string]int{}, outcome: map[string]string{}}
	for _, u := range users {
		ds, err := db.Deliveries(ctx, u, 10)
		if err != nil || len(ds) != 1 {
			t.Fatalf("%s: %d deliveries, %v", u, len(ds), err)
		}
		st.outcome[u] = ds[0].Outcome
		rs, err := db.Replies(ctx, u, ds[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			st.replies[r.TS]++
			st.total++
		}
	}
	return st
}

// pollUntil polls cond for up to 10 s.
func pollUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
