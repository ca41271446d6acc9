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

// TestE2ELostPostAnswerEachKind: the answer to the post of a nudge, of a
// weekly team prompt and of a digest is lost after Slack posted. After the
// recovery pass each was posted exactly once and is recorded as sent;
// also when the catch-up is off and recovery comes too late to send it
// again: what is out is recorded, not marked failed.
func TestE2ELostPostAnswerEachKind(t *testing.T) {
	t.Parallel()
	friday := time.Date(2026, 11, 27, 16, 0, 0, 0, berlin)
	kinds := []struct {
		name   string
		seed   func(t *testing.T, env *testEnv)
		posted func(env *testEnv) []slackfake.Message
		// recorded returns whether it is recorded as sent, and the ts it
		// is recorded with ("" if it is recorded without one).
		recorded func(t *testing.T, tb *testBot) (bool, string)
	}{
		{
			name: "nudge",
			seed: func(t *testing.T, env *testEnv) {
				seedSubscribers(t, env.dbPath, []string{"U0ANA"}, friday, storage.Subscription{Days: 1 << time.Friday, Minute: 16 * 60,
					Status: storage.StatusActive, NextAt: friday})
			},
			posted: func(env *testEnv) []slackfake.Message { return nudgeMessages(env.fake, "U0ANA") },
			recorded: func(t *testing.T, tb *testBot) (bool, string) {
				ds, err := tb.db.Deliveries(context.Background(), "U0ANA", 10)
				if err != nil {
					t.Fatal(err)
				}
				if len(ds) != 1 {
					return false, ""
				}
				return ds[0].State == storage.StateSent, ds[0].TS
			},
		},
		{
			name: "weekly team prompt",
			seed: func(t *testing.T, env *testEnv) {
				db, err := storage.Open(context.Background(), env.dbPath)
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				if ok, err := db.ReplaceTeamChannel(context.Background(), storage.TeamChannel{ChannelID: "C0TEAM", OwnerID: "U0ANA", TZ: "Europe/Berlin",
					Weekday: time.Friday, Minute: 16 * 60, Status: storage.ChannelActive, NextAt: friday}, storage.TeamChannel{}, false); err != nil || !ok {
					t.Fatalf("save the channel: %v, %v", ok, err)
				}
			},
			posted: func(env *testEnv) []slackfake.Message { return teamPrompts(env.fake, "C0TEAM") },
			recorded: func(t *testing.T, tb *testBot) (bool, string) {
				ps, err := tb.db.TeamPosts(context.Background(), "C0TEAM")
				if err != nil {
					t.Fatal(err)
				}
				if len(ps) != 1 {
					return false, ""
				}
				return ps[0].State == storage.StateSent, ps[0].TS
			},
		},
		{
			name: "digest",
			seed: func(t *testing.T, env *testEnv) {
				seedSubscribers(t, env.dbPath, []string{"U0ANA"}, friday, storage.Subscription{Days: 1 << time.Monday, Minute: 9 * 60,
					Status: storage.StatusActive, NextAt: friday.AddDate(0, 0, 3), DigestOn: true, DigestNextAt: friday})
			},
			posted: func(env *testEnv) []slackfake.Message { return digests(env.fake, "U0ANA") },
			recorded: func(t *testing.T, tb *testBot) (bool, string) {
				data, err := tb.db.UserData(context.Background(), "U0ANA")
				if err != nil {
					t.Fatal(err)
				}
				return len(data.Digests) == 1 && data.Digests[0].State == storage.StateSent, ""
			},
		},
	}
	catchups := []struct {
		name    string
		catchup time.Duration
	}{{"catch-up 2h", 0}, {"no catch-up", -1}}
	for _, k := range kinds {
		for _, c := range catchups {
			t.Run(k.name+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				clock := newClock(friday.Add(-time.Minute))
				env := teamEnv(t, clock)
				k.seed(t, env)
				env.fake.InjectFault("chat.postMessage", 1, slackfake.Fault{DropAnswer: true})
				tb := env.startRig(t, Config{Catchup: c.catchup}, rigOptions{})

				clock.Set(friday.Add(50 * time.Second)) // on time, late in the minute
				tb.poke()
				waitFor(t, "the post", func() bool { return len(lostAnswers(env.fake, "chat.postMessage")) == 1 })
				settle(t, tb)
				if n := len(k.posted(env)); n != 1 {
					t.Errorf("posted %d times before recovery, want once", n)
				}
				clock.Add(staleClaimAfter + 15*time.Second) // the recovery pass, a tick late
				tb.poke()
				settle(t, tb)
				posted := k.posted(env)
				if len(posted) != 1 {
					t.Fatalf("posted %d times, want once", len(posted))
				}
				if sent, ts := k.recorded(t, tb); !sent || ts != "" && ts != posted[0].TS {
					t.Errorf("recorded as sent: %t, with ts %q; want sent, with the post's %s", sent, ts, posted[0].TS)
				}
			})
		}
	}
}
