package bot

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/leadcoach/leadbot/bot/slackfake"
	"github.com/leadcoach/leadbot/storage"
)

// digests returns the weekly digests user got.
func digests(fake *slackfake.Server, user string) []slackfake.Message {
	var out []slackfake.Message
	for _, m := range fake.Messages("D" + user) {
		if isDigest(m) {
			out = append(out, m)
		}
	}
	return out
}

// isDigest reports whether m is a weekly digest.
func isDigest(m slackfake.Message) bool { return m.Text == "Your week with Lead Coach" }

// A user whose timezone moves west after this week's digest went out does
// not get a second one on Friday 16:00 in the new timezone, the same week;
// the next comes a week later at 16:00 where they are now.
func TestDigestOncePerWeekAcrossTimezones(t *testing.T) {
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	clock := newClock(monday8)
	env := newEnv(t, clock)
	env.fake.AddUser(slackfake.User{ID: "U0ANA", TZ: "Europe/Berlin"})
	tb := env.start(t, Config{})
	tb.slash(t, "U0ANA", "start mon 07:00")

	clock.Set(time.Date(2026, 11, 27, 16, 0, 30, 0, berlin))
	tb.poke()
	waitFor(t, "the digest in Berlin", func() bool { return len(digests(env.fake, "U0ANA")) == 1 })

	sendEvent(t, env.fake, map[string]any{"type": "user_change", "user": map[string]any{"id": "U0ANA", "tz": "America/Los_Angeles"}}, "EvTZ1")
	ctx := context.Background()
	sameWeek := time.Date(2026, 11, 27, 16, 0, 0, 0, la)
	waitFor(t, "the digest moved to Los Angeles", func() bool {
		s, err := tb.db.Subscription(ctx, "U0ANA")
		return err == nil && s.DigestNextAt.Equal(sameWeek)
	})

	clock.Set(sameWeek.Add(30 * time.Second))
	tb.poke()
	nextWeek := time.Date(2026, 12, 4, 16, 0, 0, 0, la)
	waitFor(t, "the scheduler to pass the same week's Friday in Los Angeles", func() bool {
		s, err := tb.db.Subscription(ctx, "U0ANA")
		return err == nil && s.DigestNextAt.Equal(nextWeek)
	})
	if n := len(digests(env.fake, "U0ANA")); n != 1 {
		t.Fatalf("%d digests in the week of 23 November, want 1", n)
	}

	clock.Set(nextWeek.Add(30 * time.Second))
	tb.poke()
	waitFor(t, "next week's digest", func() bool { return len(digests(env.fake, "U0ANA")) == 2 })
}

// Subscriptions from before the digest existed have no time for it; the
// scheduler gives them next Friday 16:00 in their timezone, and they get it.
func TestDigestForOlderSubscriptions(t *testing.T) {
	clock := newClock(monday8)
	env := newEnv(t, clock)
	env.fake.AddUser(slackfake.User{ID: "U0OLD", TZ: "Europe/Berlin"})
	ctx := context.Background()
	db, err := storage.Open(ctx, env.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SaveUser(ctx, storage.User{ID: "U0OLD", TeamID: "T0LEAD", TZ: "Europe/Berlin", TZCheckedAt: monday8}); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveSubscription(ctx, storage.Subscription{UserID: "U0OLD", Days: 1 << time.Monday, Minute: 7 * 60,
		Status: storage.StatusActive, NextAt: time.Date(2026, 11, 30, 7, 0, 0, 0, berlin), DigestOn: true}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	tb := env.start(t, Config{})
	friday := time.Date(2026, 11, 27, 16, 0, 0, 0, berlin)
	tb.poke()
	waitFor(t, "a digest time for the older subscription", func() bool {
		s, err := tb.db.Subscription(ctx, "U0OLD")
		return err == nil && s.DigestNextAt.Equal(friday)
	})
	clock.Set(friday.Add(30 * time.Second))
	tb.poke()
	waitFor(t, "the digest", func() bool { return len(digests(env.fake, "U0OLD")) == 1 })
}

// The digest sums up the seven days before it, one line per challenge: a
// nudge asked again after "Not yet" counts once, with its latest outcome,
// and last Friday's 17:00 nudge, after last week's digest, counts now.
func TestDigestWeek(t *testing.T) {
	now := time.Date(2026, 11, 27, 16, 0, 0, 0, berlin)
	at := func(d, h int) time.Time { return time.Date(2026, 11, d, h, 0, 0, 0, berlin) }
	ds := []storage.Delivery{
		{ID: 1, NudgeID: "old", ClaimedAt: at(20, 9), State: storage.StateSent, Outcome: storage.OutcomeDone},          // before last digest
		{ID: 2, NudgeID: "late-friday", ClaimedAt: at(20, 17), State: storage.StateSent, Outcome: storage.OutcomeDone}, // after it
		{ID: 3, NudgeID: "ask", ClaimedAt: at(23, 9), State: storage.StateSent, Outcome: storage.OutcomeNotYet},
		{ID: 4, NudgeID: "skip", ClaimedAt: at(25, 9), State: storage.StateSent, Outcome: storage.OutcomeSkipped},
		{ID: 5, NudgeID: "ask", ClaimedAt: at(25, 10), State: storage.StateSent, Outcome: storage.OutcomeDone}, // the re-ask
		{ID: 6, NudgeID: "failed", ClaimedAt: at(26, 9), State: storage.StateFailed},
	}
	week := digestWeek(ds, now)
	var ids []int64
	for _, d := range week {
		ids = append(ids, d.ID)
	}
	if want := []int64{2, 5, 4}; !slices.Equal(ids, want) {
		t.Fatalf("digest week = deliveries %v, want %v", ids, want)
	}
	msg := digestMessage(week, 2, "")
	blocks, err := json.Marshal(msg.blocks)
	if err != nil {
		t.Fatal(err)
	}
	text := slackfake.VisibleText(msg.text, blocks)
	if !strings.Contains(text, "This week: 3 challenges, 2 done, 1 skipped.") {
		t.Errorf("digest text:\n%s", text)
	}
}

// TestE2ERecoverInterruptedDigests: a digest claimed but never recorded
// (the process died, or Slack posted it and the answer was lost) is
// recorded if its message is in the DM already, and sent otherwise:
// exactly once either way, as nudges and weekly prompts are.
func TestE2ERecoverInterruptedDigests(t *testing.T) {
	friday := time.Date(2026, 11, 27, 16, 0, 0, 0, berlin)
	clock := newClock(friday)
	env := newEnv(t, clock)
	ctx := context.Background()
	db, err := storage.Open(ctx, env.dbPath, storage.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"U0POSTED", "U0LOST"} {
		env.fake.AddUser(slackfake.User{ID: u, TZ: "Europe/Berlin"})
		if err := db.SaveUser(ctx, storage.User{ID: u, TeamID: "T0LEAD", TZ: "Europe/Berlin", TZCheckedAt: friday, DMChannel: "D" + u}); err != nil {
			t.Fatal(err)
		}
		if err := db.SaveSubscription(ctx, storage.Subscription{UserID: u, Days: 1 << time.Monday, Minute: 7 * 60,
			Status: storage.StatusActive, NextAt: time.Date(2026, 11, 30, 7, 0, 0, 0, berlin), DigestOn: true, DigestNextAt: friday}); err != nil {
			t.Fatal(err)
		}
		ok, err := db.ClaimDigest(ctx, u, 20261123, friday, friday, friday.AddDate(0, 0, 7), true)
		if err != nil || !ok {
			t.Fatalf("claim: %v, %v", ok, err)
		}
	}
	db.Close()
	// The first one reached Slack before the "crash".
	api := slack.New("xoxb-test", slack.OptionAPIURL(env.fake.APIURL()))
	if _, _, err := api.PostMessage("DU0POSTED", slack.MsgOptionText("Your week with Lead Coach", false),
		slack.MsgOptionMetadata(digestMarker.metadata(friday.Unix()))); err != nil {
		t.Fatal(err)
	}

	clock.Add(5 * time.Minute) // past staleClaimAfter
	tb := env.start(t, Config{})
	waitFor(t, "the lost digest sent", func() bool { return len(digests(env.fake, "U0LOST")) == 1 })
	settle(t, tb)
	if n := len(digests(env.fake, "U0POSTED")); n != 1 {
		t.Errorf("the posted digest was sent again: %d messages", n)
	}
	if n := len(digests(env.fake, "U0LOST")); n != 1 {
		t.Errorf("the lost digest: %d messages, want 1", n)
	}
	data, err := tb.db.UserData(ctx, "U0POSTED")
	if err != nil || len(data.Digests) != 1 || data.Digests[0].State != storage.StateSent {
		t.Errorf("the posted digest is not recorded as sent: %+v, %v", data.Digests, err)
	}
}
