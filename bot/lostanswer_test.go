package bot

import (
	"context"
	"testing"
	"time"

	"github.com/leadcoach/leadbot/bot/slackfake"
	"github.com/leadcoach/leadbot/storage"
)

// Slack can post a message and lose the answer on the way back. The bot
// then does not know the message is out; it must not post it again on the
// spot, but leave it to recovery, which finds it in the channel by its
// metadata and records it (delivery.go).

// TestE2ELostPostAnswers: 200 users are due at the same minute, and 5% of
// the answers to chat.postMessage are lost after Slack posted. After the
// recovery pass each user has exactly one nudge in their DM, recorded as
// sent with its ts, and a reply in the thread of one whose answer was lost
// is stored. (Before posts stopped being retried after a lost connection,
// this fan-out gave 10 users two or three copies.)
func TestE2ELostPostAnswers(t *testing.T) {
	t.Parallel()
	const users, lostShare, seed = 200, 0.05, 13
	slot := time.Date(2026, 11, 23, 9, 30, 0, 0, berlin) // a Monday
	clock := newClock(slot.Add(-time.Minute))
	env := newRigEnv(t, slackfake.Options{}, clock)
	ids := seedDue(t, env.dbPath, users, slot)
	env.fake.InjectFaultRate("chat.postMessage", lostShare, seed, slackfake.Fault{DropAnswer: true})
	tb := env.startRig(t, Config{SendRate: 5000}, rigOptions{})

	clock.Set(slot.Add(time.Second))
	tb.poke()
	settle(t, tb) // every slot claimed and its post tried
	lost := lostAnswers(env.fake, "chat.postMessage")
	if len(lost) == 0 {
		t.Fatal("no answer was lost: the test tests nothing")
	}
	clock.Add(staleClaimAfter + time.Second)
	tb.poke()
	settle(t, tb) // recovery has looked for every unconfirmed nudge

	got := tallyNudges(t, env.fake, tb.db, ids)
	t.Logf("%d users, %d answers to posts lost: %d users with duplicates, %d without a nudge, %d not recorded as their one nudge",
		users, len(lost), got.duplicated, got.missing, got.unrecorded)
	if got != (nudgeTally{}) {
		t.Errorf("want every user to have exactly one nudge, recorded as sent with its ts")
	}

	env.fake.ClearFaults()
	user := lost[0].Params["channel"][1:]
	nudge := nudgeMessages(env.fake, user)[0]
	ds, err := tb.db.Deliveries(context.Background(), user, 1)
	if err != nil || len(ds) != 1 {
		t.Fatalf("deliveries of %s: %+v, %v", user, ds, err)
	}
	sendEvent(t, env.fake, dmEvent(user, nudge.Channel, "1800000000.000100", nudge.TS, "done it"), "EvLOSTREPLY")
	if n := replyCount(t, tb.db, user, ds[0].ID); n != 1 {
		t.Errorf("%d replies stored in the thread of a recovered nudge, want 1", n)
	}
}

// TestE2ELostPostAnswerTeamPromptAndDigest: the answer to a weekly team
// prompt's post, and to a digest's, is lost after Slack posted. After the
// recovery pass each was posted exactly once and is recorded as sent.
func TestE2ELostPostAnswerTeamPromptAndDigest(t *testing.T) {
	t.Parallel()
	friday := time.Date(2026, 11, 27, 16, 0, 0, 0, berlin)
	tests := []struct {
		name   string
		seed   func(t *testing.T, env *testEnv)
		posted func(env *testEnv) int
		// sent reports whether it is recorded as sent (with the ts of the
		// first message posted, if recorded with one).
		sent func(t *testing.T, tb *testBot) bool
	}{
		{
			name: "weekly team prompt",
			seed: func(t *testing.T, env *testEnv) {
				db, err := storage.Open(context.Background(), env.dbPath)
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				if err := db.SaveTeamChannel(context.Background(), storage.TeamChannel{ChannelID: "C0TEAM", OwnerID: "U0ANA", TZ: "Europe/Berlin",
					Weekday: time.Friday, Minute: 16 * 60, Status: storage.ChannelActive, NextAt: friday}); err != nil {
					t.Fatal(err)
				}
			},
			posted: func(env *testEnv) int { return len(teamPrompts(env.fake, "C0TEAM")) },
			sent: func(t *testing.T, tb *testBot) bool {
				ps, err := tb.db.TeamPosts(context.Background(), "C0TEAM")
				if err != nil {
					t.Fatal(err)
				}
				if len(ps) != 1 || ps[0].State != storage.StateSent {
					return false
				}
				if msgs := teamPrompts(tb.fake, "C0TEAM"); len(msgs) > 0 && ps[0].TS != msgs[0].TS {
					t.Errorf("recorded as ts %s, not the prompt's %s", ps[0].TS, msgs[0].TS)
				}
				return true
			},
		},
		{
			name: "digest",
			seed: func(t *testing.T, env *testEnv) {
				seedSubscribers(t, env.dbPath, []string{"U0ANA"}, friday, storage.Subscription{Days: 1 << time.Monday, Minute: 9 * 60,
					Status: storage.StatusActive, NextAt: friday.AddDate(0, 0, 3), DigestOn: true, DigestNextAt: friday})
			},
			posted: func(env *testEnv) int { return len(digests(env.fake, "U0ANA")) },
			sent: func(t *testing.T, tb *testBot) bool {
				data, err := tb.db.UserData(context.Background(), "U0ANA")
				if err != nil {
					t.Fatal(err)
				}
				return len(data.Digests) == 1 && data.Digests[0].State == storage.StateSent
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newClock(friday.Add(-time.Minute))
			env := teamEnv(t, clock)
			tt.seed(t, env)
			env.fake.InjectFault("chat.postMessage", 1, slackfake.Fault{DropAnswer: true})
			tb := env.startRig(t, Config{}, rigOptions{})

			clock.Set(friday.Add(time.Second))
			tb.poke()
			waitFor(t, "the post", func() bool { return len(lostAnswers(env.fake, "chat.postMessage")) == 1 })
			settle(t, tb)
			if n := tt.posted(env); n != 1 {
				t.Errorf("posted %d times before recovery, want once", n)
			}
			clock.Add(staleClaimAfter + time.Second)
			tb.poke()
			waitFor(t, "recorded as sent", func() bool { return tt.sent(t, tb) })
			settle(t, tb)
			if n := tt.posted(env); n != 1 {
				t.Errorf("posted %d times, want once", n)
			}
		})
	}
}
