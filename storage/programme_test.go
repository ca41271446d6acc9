package storage

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestProfileRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, WithClock(func() time.Time { return t0 }))
	subscribed(t, db, "U1")
	// Nothing said: zero answers, no error.
	p, err := db.Profile(ctx, "U1")
	if err != nil || !p.UpdatedAt.IsZero() || !p.StartedOn.IsZero() || !p.FirstNudge.IsZero() || p.UserID != "U1" {
		t.Fatalf("Profile before answering = %+v, %v", p, err)
	}
	started := t0.AddDate(0, 0, -3).Truncate(24 * time.Hour)
	want := Profile{UserID: "U1", StartedOn: started, FormerPeers: Yes, FirstTime: No, TeamSize: 6}
	if err := db.SaveProfile(ctx, want); err != nil {
		t.Fatal(err)
	}
	// The first nudge (look-backs aside) is the programme's start when
	// the user did not say.
	claim(t, db, "U1", "n1", t0.Add(time.Hour))
	p, err = db.Profile(ctx, "U1")
	if err != nil {
		t.Fatal(err)
	}
	if !p.StartedOn.Equal(started) || p.FormerPeers != Yes || p.FirstTime != No || p.TeamSize != 6 || !p.UpdatedAt.Equal(t0) || !p.FirstNudge.Equal(t0) {
		t.Errorf("Profile = %+v, want %+v with FirstNudge %v", p, want, t0)
	}
	// Answers can be taken back: saving replaces all of them.
	if err := db.SaveProfile(ctx, Profile{UserID: "U1", FirstTime: Yes}); err != nil {
		t.Fatal(err)
	}
	if p, _ := db.Profile(ctx, "U1"); !p.StartedOn.IsZero() || p.FormerPeers != Unsaid || p.FirstTime != Yes || p.TeamSize != 0 {
		t.Errorf("after changing: %+v", p)
	}
	for _, bad := range []Profile{{UserID: "U1", FormerPeers: 3}, {UserID: "U1", TeamSize: -1}} {
		if err := db.SaveProfile(ctx, bad); err == nil {
			t.Errorf("SaveProfile(%+v) accepted", bad)
		}
	}
}

// claim stores a sent nudge delivery of user at slot and returns it.
func claim(t *testing.T, db *DB, user, nudge string, slot time.Time) Delivery {
	t.Helper()
	d, ok, err := db.claimDelivery(context.Background(), Delivery{UserID: user, NudgeID: nudge, Kind: "delegate", Source: SourceNow, Slot: slot})
	if err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	if err := db.MarkSent(context.Background(), d.ID, "D"+user, slot.Format("150405.000")); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestLookBackCandidate(t *testing.T) {
	ctx := context.Background()
	now := t0
	db := openTest(t, WithClock(func() time.Time { return now }))
	subscribed(t, db, "U1")
	d := claim(t, db, "U1", "n1", t0)
	reply := func(ts, text string) {
		t.Helper()
		if _, err := db.RecordReply(ctx, "", Reply{DeliveryID: d.ID, UserID: "U1", Channel: "DU1", TS: ts, Text: text, Via: ViaThread}); err != nil {
			t.Fatal(err)
		}
	}
	reply("1.1", "ok")                                                        // too short
	reply("1.2", "I held back from fixing the PR and it went fine after all") // the reflection
	now = t0.Add(time.Hour)
	reply("1.3", "Another long enough reflection, written an hour later")

	lb := func(at time.Time) LookBack {
		return LookBack{WrittenFrom: at.Add(-56 * 24 * time.Hour), WrittenTo: at.Add(-28 * 24 * time.Hour), NoneSince: at.Add(-7 * 24 * time.Hour), MinChars: 40}
	}
	if _, err := db.LookBackCandidate(ctx, "U1", lb(t0.Add(20*24*time.Hour))); !errors.Is(err, ErrNotFound) {
		t.Errorf("after 20 days: %v, want ErrNotFound", err)
	}
	at := t0.Add(29 * 24 * time.Hour)
	r, err := db.LookBackCandidate(ctx, "U1", lb(at))
	if err != nil || r.TS != "1.2" {
		t.Fatalf("after 29 days: %+v, %v; want the oldest reflection 1.2", r, err)
	}
	// Claimed as a look-back: not again, and no other one within the week.
	now = at
	back, ok, err := db.claimDelivery(ctx, Delivery{UserID: "U1", NudgeID: KindLookBack, Kind: KindLookBack, Source: SourceSchedule, Slot: at, LooksBack: r.ID})
	if err != nil || !ok || back.LooksBack != r.ID {
		t.Fatalf("claim look-back: %+v %v %v", back, ok, err)
	}
	if _, err := db.LookBackCandidate(ctx, "U1", lb(at.Add(24*time.Hour))); !errors.Is(err, ErrNotFound) {
		t.Errorf("a day after a look-back: %v, want ErrNotFound", err)
	}
	r, err = db.LookBackCandidate(ctx, "U1", lb(at.Add(8*24*time.Hour)))
	if err != nil || r.TS != "1.3" {
		t.Errorf("a week later: %+v, %v; want the other reflection 1.3", r, err)
	}
	// Never a follow-up on a look-back left unanswered.
	if err := db.MarkSent(ctx, back.ID, "DU1", "9.9"); err != nil {
		t.Fatal(err)
	}
	if fs, err := db.FollowupCandidates(ctx, at.Add(30*24*time.Hour), 10); err != nil || len(fs) != 0 {
		t.Errorf("follow-up candidates: %+v, %v; want none", fs, err)
	}
	// An answer to the look-back is linked to it, and is never itself
	// looked back on.
	if _, err := db.RecordReply(ctx, "", Reply{DeliveryID: back.ID, UserID: "U1", Channel: "DU1", TS: "9.10", Text: "Since then I have delegated two more reviews, with less worry", Via: ViaThread}); err != nil {
		t.Fatal(err)
	}
	got, err := db.Delivery(ctx, "U1", back.ID)
	if err != nil || got.Replies != 1 || got.Kind != KindLookBack {
		t.Errorf("look-back after its answer: %+v, %v", got, err)
	}
	if r, err := db.LookBackCandidate(ctx, "U1", lb(at.Add(70*24*time.Hour))); err == nil {
		t.Errorf("the answer to a look-back came up as a reflection: %+v", r)
	}
}

func TestMilestones(t *testing.T) {
	ctx := context.Background()
	now := t0
	db := openTest(t, WithClock(func() time.Time { return now }))
	for _, u := range []string{"U1", "U2", "U3", "U4"} {
		subscribed(t, db, u)
	}
	// U1 said they started 100 days ago; U2 had their first nudge 95 days
	// ago; U3 only 10 days ago; U4 nothing at all.
	if err := db.SaveProfile(ctx, Profile{UserID: "U1", StartedOn: t0.AddDate(0, 0, -100)}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		user string
		at   time.Time
	}{{"U2", t0.AddDate(0, 0, -95)}, {"U3", t0.AddDate(0, 0, -10)}, {"U1", t0}} { // U1's own start counts, not this
		now = c.at
		claim(t, db, c.user, "n1", c.at)
	}
	now = t0
	due, err := db.DueMilestones(ctx, "day-90", t0.AddDate(0, 0, -90), 10)
	if err != nil || len(due) != 2 || due[0] != "U1" || due[1] != "U2" {
		t.Fatalf("due = %v, %v; want U1 and U2", due, err)
	}
	// Claimed once only.
	if ok, err := db.ClaimMilestone(ctx, "U1", "day-90"); !ok || err != nil {
		t.Fatalf("first claim: %v %v", ok, err)
	}
	if ok, err := db.ClaimMilestone(ctx, "U1", "day-90"); ok || err != nil {
		t.Fatalf("second claim: %v %v", ok, err)
	}
	if due, _ := db.DueMilestones(ctx, "day-90", t0.AddDate(0, 0, -90), 10); len(due) != 1 || due[0] != "U2" {
		t.Errorf("due after claiming U1 = %v", due)
	}
	// An interrupted claim is stale after a while and taken over once.
	now = t0.Add(5 * time.Minute)
	stale, err := db.StaleMilestones(ctx, t0.Add(time.Minute), 10)
	if err != nil || len(stale) != 1 || stale[0].UserID != "U1" {
		t.Fatalf("stale = %+v, %v", stale, err)
	}
	if ok, _ := db.ReclaimMilestone(ctx, stale[0]); !ok {
		t.Fatal("reclaim failed")
	}
	if ok, _ := db.ReclaimMilestone(ctx, stale[0]); ok {
		t.Fatal("reclaimed twice")
	}
	if err := db.FinishMilestone(ctx, "U1", "day-90", MilestoneSent); err != nil {
		t.Fatal(err)
	}
	if stale, _ := db.StaleMilestones(ctx, now.Add(time.Hour), 10); len(stale) != 0 {
		t.Errorf("a sent milestone is stale: %+v", stale)
	}
	data, _ := db.UserData(ctx, "U1")
	if len(data.Milestones) != 1 || data.Milestones[0].State != MilestoneSent || !data.Milestones[0].SentAt.Equal(now) {
		t.Errorf("export: %+v", data.Milestones)
	}
	// A stopped subscription gets none.
	if err := db.SaveSubscription(ctx, Subscription{UserID: "U2", Days: 1, Minute: 0, Status: StatusStopped}); err != nil {
		t.Fatal(err)
	}
	if due, _ := db.DueMilestones(ctx, "day-90", t0.AddDate(0, 0, -90), 10); len(due) != 0 {
		t.Errorf("due with U2 stopped = %v", due)
	}
}
