package bot

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leadcoach/leadbot/bot/slackfake"
	"github.com/leadcoach/leadbot/storage"
)

// Replies to a message of ours that is posted but not recorded yet: its
// send is still waiting for Slack's answer, or the answer was lost and
// recovery has not run. The thread's parent is found by its metadata.

// strayAnswers returns the bot's answers to stray DMs in user's DM.
func strayAnswers(fake *slackfake.Server, user string) []slackfake.Message {
	return slices.DeleteFunc(fake.Messages("D"+user), func(m slackfake.Message) bool { return !strings.Contains(m.Text, msgStrayDM) })
}

// onlyDelivery returns user's one delivery.
func onlyDelivery(t *testing.T, db *storage.DB, user string) storage.Delivery {
	t.Helper()
	ds, err := db.Deliveries(context.Background(), user, 10)
	if err != nil || len(ds) != 1 {
		t.Fatalf("deliveries of %s = %+v, %v; want one", user, ds, err)
	}
	return ds[0]
}

// TestReplyToNudgeWhoseAnswerWasLost: Slack posted the nudge but the answer
// to chat.postMessage was lost, so the delivery is still only claimed when
// the user replies in its thread. The reply is stored against that
// delivery (not answered as a stray DM), and recovery afterwards finds
// nothing left to do: one nudge, recorded with its ts.
func TestReplyToNudgeWhoseAnswerWasLost(t *testing.T) {
	t.Parallel()
	tb, clock := startAna(t)
	fake := tb.fake
	fake.InjectFault("chat.postMessage", 1, slackfake.Fault{DropAnswer: true})
	tb.slash(t, "U0ANA", "nudge")
	msgs := nudgeMessages(fake, "U0ANA")
	if len(msgs) != 1 {
		t.Fatalf("%d nudges posted, want 1", len(msgs))
	}
	nudge := msgs[0]
	d := onlyDelivery(t, tb.db, "U0ANA")
	if d.State != storage.StateClaimed {
		t.Fatalf("delivery %s before the reply, want claimed: the test needs an unrecorded nudge", d.State)
	}

	sendEvent(t, fake, dmEvent("U0ANA", nudge.Channel, "1800000000.000100", nudge.TS, "I delegated the release"), "EvLOST")
	rs, err := tb.db.Replies(context.Background(), "U0ANA", d.ID)
	if err != nil || len(rs) != 1 || rs[0].Via != storage.ViaThread {
		t.Fatalf("replies to the nudge = %+v, %v; want the one thread reply\n%s", rs, err, tb.logs)
	}
	if got := onlyDelivery(t, tb.db, "U0ANA"); got.State != storage.StateSent || got.Channel != nudge.Channel || got.TS != nudge.TS {
		t.Errorf("delivery after the reply = %s %s/%s, want sent as %s/%s", got.State, got.Channel, got.TS, nudge.Channel, nudge.TS)
	}
	if n := len(strayAnswers(fake, "U0ANA")); n != 0 {
		t.Errorf("the reply was answered as a stray DM %d times", n)
	}

	clock.Add(3 * time.Minute) // past staleClaimAfter: recovery would take a claim left
	settle(t, tb)
	if n := len(nudgeMessages(fake, "U0ANA")); n != 1 {
		t.Errorf("%d nudges after recovery, want 1", n)
	}
	if got := onlyDelivery(t, tb.db, "U0ANA"); got.State != storage.StateSent || got.TS != nudge.TS {
		t.Errorf("delivery after recovery = %s at %s, want sent at %s", got.State, got.TS, nudge.TS)
	}
	if strings.Contains(tb.logs.String(), "I delegated the release") {
		t.Error("the reply's text was logged")
	}
}

// TestReplyWhileNudgeInFlight: the user writes while the bot is still
// waiting for the answer to chat.postMessage. A DM (not in a thread) is
// filed against the nudge that is out, as it would be once the nudge is
// recorded, and a reply in the nudge's thread too; a reply in a thread
// that is not ours is still answered as stray: the pending nudge does not
// make every thread ours.
func TestReplyWhileNudgeInFlight(t *testing.T) {
	t.Parallel()
	tb, _ := startAna(t)
	fake := tb.fake
	// Longer than the test: the answer is lost when the fake is closed,
	// which comes before the bot is stopped (cleanups run last first).
	fake.InjectFault("chat.postMessage", 1, slackfake.Fault{LateAnswer: time.Hour})
	t.Cleanup(func() { fake.Close() })
	sendCommand(t, fake, "U0ANA", "nudge")
	waitFor(t, "the nudge posted", func() bool { return len(nudgeMessages(fake, "U0ANA")) == 1 })
	nudge := nudgeMessages(fake, "U0ANA")[0]
	if d := onlyDelivery(t, tb.db, "U0ANA"); d.State != storage.StateClaimed {
		t.Fatalf("delivery %s while its post is in flight, want claimed", d.State)
	}

	sendEvent(t, fake, dmEvent("U0ANA", nudge.Channel, "1800000000.000100", "", "Done, I handed over the release"), "EvDMINFLIGHT")
	d := onlyDelivery(t, tb.db, "U0ANA")
	if d.State != storage.StateSent || d.TS != nudge.TS {
		t.Errorf("delivery after the DM = %s at %s, want sent at %s", d.State, d.TS, nudge.TS)
	}
	sendEvent(t, fake, dmEvent("U0ANA", nudge.Channel, "1800000000.000200", "1700000000.000100", "in some old thread"), "EvOTHERTHREAD")
	waitFor(t, "the reply in a thread not ours answered as stray", func() bool { return len(strayAnswers(fake, "U0ANA")) == 1 })
	sendEvent(t, fake, dmEvent("U0ANA", nudge.Channel, "1800000000.000300", nudge.TS, "Ben took it gladly"), "EvINFLIGHT")

	rs, err := tb.db.Replies(context.Background(), "U0ANA", d.ID)
	var got []string
	for _, r := range rs {
		got = append(got, r.TS+" "+string(r.Via))
	}
	if want := []string{"1800000000.000100 " + string(storage.ViaDM), "1800000000.000300 " + string(storage.ViaThread)}; err != nil || !slices.Equal(got, want) {
		t.Fatalf("replies to the nudge = %q, %v; want %q\n%s", got, err, want, tb.logs)
	}
	if n := len(fake.Calls("conversations.history")); n != 1 {
		t.Errorf("%d conversations.history calls, want 1: for the DM while the nudge was unrecorded", n)
	}
}

// TestTeamReplyToPromptWhoseAnswerWasLost: the weekly prompt was posted but
// the answer to chat.postMessage was lost; a reply in its thread before
// recovery runs is stored and counted, and recovery then posts nothing
// more. A reply in a thread that is not ours is not stored, with a log
// line saying why (never what was written).
func TestTeamReplyToPromptWhoseAnswerWasLost(t *testing.T) {
	t.Parallel()
	clock := newClock(monday8)
	env := teamEnv(t, clock)
	tb := env.start(t, Config{})
	fake := env.fake
	ctx := context.Background()
	tb.weeklyCmd(t, "U0ANA", "C0TEAM", "fri 15:00")
	fake.InjectFault("chat.postMessage", 1, slackfake.Fault{DropAnswer: true})
	wantContains(t, "weekly now with the answer lost", tb.weeklyCmd(t, "U0ANA", "C0TEAM", "now"), msgWeeklyRetrying)
	posted := teamPrompts(fake, "C0TEAM")
	if len(posted) != 1 {
		t.Fatalf("%d prompts posted, want 1", len(posted))
	}
	prompt := posted[0]

	sendEvent(t, fake, channelEvent("U0BEN", "C0TEAM", "1800000100.000100", prompt.TS, "Cat's review of the on-call"), "EvTEAMLOST")
	post, err := tb.db.TeamPostByMessage(ctx, "C0TEAM", prompt.TS)
	if err != nil {
		t.Fatalf("the prompt is not recorded after a reply in its thread: %v\n%s", err, tb.logs)
	}
	if n, err := tb.db.TeamRepliers(ctx, post.ID); err != nil || n != 1 {
		t.Errorf("repliers = %d, %v; want 1", n, err)
	}

	sendEvent(t, fake, channelEvent("U0CAT", "C0TEAM", "1800000100.000300", "1800000100.000200", "lunch at noon?"), "EvOTHERTHREAD")
	if !strings.Contains(tb.logs.String(), "message not stored") {
		t.Errorf("a reply in another thread left no log line:\n%s", tb.logs)
	}

	clock.Add(3 * time.Minute) // past staleClaimAfter: recovery would take a claim left
	settle(t, tb)
	if n := len(teamPrompts(fake, "C0TEAM")); n != 1 {
		t.Errorf("%d prompts after recovery, want 1", n)
	}
	if n, err := tb.db.TeamRepliers(ctx, post.ID); err != nil || n != 1 {
		t.Errorf("repliers after recovery = %d, %v; want 1", n, err)
	}
	for _, text := range []string{"Cat's review", "lunch at noon"} {
		if strings.Contains(tb.logs.String(), text) {
			t.Errorf("a reply's text was logged: %q", text)
		}
	}
}

// TestPostedNudgeRecoveredAfterLongStop: the answer to a nudge's post is
// lost and the bot is stopped for longer than the catch-up window. After
// the restart recovery finds the message by its metadata and records it
// as sent (it is not dropped as too old to send): a press on its buttons
// then counts.
func TestPostedNudgeRecoveredAfterLongStop(t *testing.T) {
	t.Parallel()
	clock := newClock(monday8)
	env := newEnv(t, clock)
	env.fake.AddUser(slackfake.User{ID: "U0ANA", Name: "ana", TZ: "Europe/Berlin"})
	tb := env.start(t, Config{})
	env.fake.InjectFault("chat.postMessage", 1, slackfake.Fault{DropAnswer: true})
	tb.slash(t, "U0ANA", "nudge")
	if d := onlyDelivery(t, tb.db, "U0ANA"); d.State != storage.StateClaimed {
		t.Fatalf("delivery %s, want claimed: the test needs an unrecorded nudge", d.State)
	}
	if err := tb.stop(); err != nil {
		t.Fatal(err)
	}
	clock.Add(6 * time.Hour) // beyond the catch-up window
	tb = env.start(t, Config{})
	settle(t, tb)
	nudges := nudgeMessages(env.fake, "U0ANA")
	d := onlyDelivery(t, tb.db, "U0ANA")
	if len(nudges) != 1 || d.State != storage.StateSent || d.TS != nudges[0].TS {
		t.Fatalf("after the restart: %d nudges, delivery %s at %q; want one, sent at %q", len(nudges), d.State, d.TS, nudges[0].TS)
	}
	click(t, env.fake, slackfake.Click{UserID: "U0ANA", ActionID: actionNudgeDone, Blocks: nudges[0].Blocks, ChannelID: nudges[0].Channel, MessageTS: nudges[0].TS})
	if d := onlyDelivery(t, tb.db, "U0ANA"); d.Outcome != storage.OutcomeDone {
		t.Errorf("outcome after Done = %q", d.Outcome)
	}
}
