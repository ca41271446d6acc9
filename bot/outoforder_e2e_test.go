package bot

import (
	"context"
	"strings"
	"testing"
)

// Slack does not promise the order of events: an edit or a deletion can
// come before the message it changes. These tests send them in that order
// over the wire; storage keeps a tombstone for the change (storage/
// tombstones.go), so the late original is stored as edited, or not at all.

// TestE2EChangeBeforeReply: in a nudge's thread, a reply deleted before
// it arrived is never stored, and a reply edited before it arrived is
// stored with the edited text.
func TestE2EChangeBeforeReply(t *testing.T) {
	t.Parallel()
	tb, clock := startAna(t)
	nudge, d := nudged(t, tb, clock, "U0ANA")

	sendEvent(t, tb.fake, map[string]any{"type": "message", "subtype": "message_deleted", "channel": nudge.Channel, "channel_type": "im",
		"ts": "1800000001.000300", "deleted_ts": "1800000001.000100"}, "EvDELFIRST")
	sendEvent(t, tb.fake, dmEvent("U0ANA", nudge.Channel, "1800000001.000100", nudge.TS, "said something I regret"), "EvDELETEDLATE")
	if n := replyCount(t, tb.db, "U0ANA", d.ID); n != 0 {
		t.Fatalf("a reply deleted before it came is stored (%d replies)", n)
	}

	sendEvent(t, tb.fake, map[string]any{"type": "message", "subtype": "message_changed", "channel": nudge.Channel, "channel_type": "im", "ts": "1800000002.000200",
		"message": map[string]any{"type": "message", "user": "U0ANA", "text": "Delegated the release notes", "ts": "1800000002.000100", "thread_ts": nudge.TS}}, "EvEDITFIRST")
	sendEvent(t, tb.fake, dmEvent("U0ANA", nudge.Channel, "1800000002.000100", nudge.TS, "Delegated the relase notse"), "EvEDITEDLATE")
	rs, err := tb.db.Replies(context.Background(), "U0ANA", d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0].Text != "Delegated the release notes" {
		t.Errorf("replies after an edit that came first = %+v, want the edited text once", rs)
	}
	if _, resp := tb.slash(t, "U0ANA", "history"); !strings.Contains(visible(resp), "Delegated the release notes") || strings.Contains(visible(resp), "regret") {
		t.Errorf("history does not show exactly the edited reply:\n%s", visible(resp))
	}
}

// TestE2EChangeBeforeTeamReply: the same in a weekly prompt's thread: a
// reply deleted before it came is not counted.
func TestE2EChangeBeforeTeamReply(t *testing.T) {
	t.Parallel()
	clock := newClock(monday8)
	env := teamEnv(t, clock)
	tb := env.start(t, Config{})
	ctx := context.Background()
	tb.weeklyCmd(t, "U0ANA", "C0TEAM", "fri 15:00")
	tb.weeklyCmd(t, "U0ANA", "C0TEAM", "now")
	posted := teamPrompts(env.fake, "C0TEAM")
	if len(posted) != 1 {
		t.Fatalf("%d prompts posted, want 1", len(posted))
	}
	post, err := tb.db.TeamPostByMessage(ctx, "C0TEAM", posted[0].TS)
	if err != nil {
		t.Fatal(err)
	}
	sendEvent(t, env.fake, map[string]any{"type": "message", "subtype": "message_deleted", "channel": "C0TEAM", "channel_type": "channel",
		"ts": "1800000100.000300", "deleted_ts": "1800000100.000100"}, "EvTEAMDELFIRST")
	sendEvent(t, env.fake, channelEvent("U0BEN", "C0TEAM", "1800000100.000100", posted[0].TS, "posted in the wrong thread"), "EvTEAMDELETEDLATE")
	if n, err := tb.db.TeamRepliers(ctx, post.ID); err != nil || n != 0 {
		t.Errorf("repliers after a deletion that came first = %d, %v; want 0", n, err)
	}
	sendEvent(t, env.fake, channelEvent("U0CAT", "C0TEAM", "1800000100.000400", posted[0].TS, "the on-call review helped"), "EvTEAMREPLY")
	if n, err := tb.db.TeamRepliers(ctx, post.ID); err != nil || n != 1 {
		t.Errorf("repliers after one more reply = %d, %v; want 1", n, err)
	}
}
