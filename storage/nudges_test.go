package storage

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)

// claimDelivery records d, a delivery of any source, with nothing else
// in its transaction: the claim the production paths (ClaimNow,
// ClaimReask, ClaimSlot...) make, without their checks.
func (db *DB) claimDelivery(ctx context.Context, d Delivery) (Delivery, bool, error) {
	var claimed bool
	err := db.withTx(ctx, func(tx *sql.Tx, now int64) error {
		var err error
		d, claimed, err = insertDelivery(ctx, tx, d, now)
		return err
	})
	return d, claimed, err
}

// subscribed saves user U1 with a subscription due at t0.
func subscribed(t *testing.T, db *DB, user string) {
	t.Helper()
	ctx := context.Background()
	if err := db.SaveUser(ctx, User{ID: user, TeamID: "T1", TZ: "Europe/Berlin"}); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveSubscription(ctx, Subscription{UserID: user, Days: 0b0101010, Minute: 570, Status: StatusActive, NextAt: t0}); err != nil {
		t.Fatal(err)
	}
}

func TestSubscriptionRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, WithClock(func() time.Time { return t0 }))
	if _, err := db.Subscription(ctx, "U1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Subscription before subscribing: %v, want ErrNotFound", err)
	}
	subscribed(t, db, "U1")
	got, err := db.Subscription(ctx, "U1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Days != 0b0101010 || got.Minute != 570 || got.Status != StatusActive || !got.NextAt.Equal(t0) || got.TZ != "Europe/Berlin" {
		t.Errorf("Subscription = %+v", got)
	}
	due, err := db.DueSubscriptions(ctx, t0.Add(-time.Second), 10)
	if err != nil || len(due) != 0 {
		t.Errorf("DueSubscriptions before the slot = %v, %v; want none", due, err)
	}
	due, err = db.DueSubscriptions(ctx, t0, 10)
	if err != nil || len(due) != 1 {
		t.Errorf("DueSubscriptions at the slot = %v, %v; want U1", due, err)
	}
}

// Two processes on one database file race for the same slot: exactly one
// claims it.
func TestClaimSlotOnceAcrossProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leadbot.db")
	ctx := context.Background()
	var dbs []*DB
	for i := 0; i < 2; i++ {
		db, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		dbs = append(dbs, db)
	}
	subscribed(t, dbs[0], "U1")

	var wg sync.WaitGroup
	claims := make(chan bool, 20)
	for i := 0; i < 20; i++ {
		db := dbs[i%2]
		wg.Go(func() {
			_, ok, err := db.ClaimSlot(ctx, Delivery{UserID: "U1", NudgeID: "n1", Kind: "delegate", Slot: t0}, t0, t0.Add(48*time.Hour))
			if err != nil {
				t.Error(err)
			}
			claims <- ok
		})
	}
	wg.Wait()
	close(claims)
	n := 0
	for ok := range claims {
		if ok {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d claims of one slot, want exactly 1", n)
	}
	ds, _ := dbs[1].Deliveries(ctx, "U1", 10)
	if len(ds) != 1 {
		t.Errorf("%d deliveries recorded, want 1", len(ds))
	}
	s, _ := dbs[1].Subscription(ctx, "U1")
	if !s.NextAt.Equal(t0.Add(48 * time.Hour)) {
		t.Errorf("next slot = %v, want advanced by 48h", s.NextAt)
	}
}

func TestOutcomesAndOwnership(t *testing.T) {
	ctx := context.Background()
	now := t0
	db := openTest(t, WithClock(func() time.Time { return now }))
	subscribed(t, db, "U1")
	subscribed(t, db, "U2")
	d, ok, err := db.claimDelivery(ctx, Delivery{UserID: "U1", NudgeID: "n1", Kind: "delegate", Source: SourceNow, Slot: now})
	if err != nil || !ok {
		t.Fatalf("ClaimDelivery = %v, %v", ok, err)
	}
	if _, again, _ := db.claimDelivery(ctx, Delivery{UserID: "U1", NudgeID: "n2", Kind: "delegate", Source: SourceNow, Slot: now}); again {
		t.Error("a second delivery for the same user, slot and source was claimed")
	}
	if err := db.MarkSent(ctx, d.ID, "D1", "100.1"); err != nil {
		t.Fatal(err)
	}

	// Another user can neither read nor answer U1's nudge.
	if _, err := db.Delivery(ctx, "U2", d.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("U2 reading U1's delivery: %v, want ErrNotFound", err)
	}
	if _, _, err := db.SetOutcome(ctx, "U2", d.ID, OutcomeDone, time.Time{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("U2 answering U1's delivery: %v, want ErrNotFound", err)
	}
	if _, err := db.DeliveryByMessage(ctx, "U2", "D1", "100.1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("U2 finding U1's message: %v, want ErrNotFound", err)
	}

	reask := now.Add(48 * time.Hour)
	got, changed, err := db.SetOutcome(ctx, "U1", d.ID, OutcomeNotYet, reask)
	if err != nil || !changed || got.Outcome != OutcomeNotYet || !got.ReaskAt.Equal(reask) {
		t.Fatalf("SetOutcome not yet = %+v, %v, %v", got, changed, err)
	}
	// The first press counts.
	if got, changed, _ := db.SetOutcome(ctx, "U1", d.ID, OutcomeSkipped, time.Time{}); changed || got.Outcome != OutcomeNotYet {
		t.Errorf("second press changed the outcome to %s", got.Outcome)
	}

	due, _ := db.DueReasks(ctx, reask, 10)
	if len(due) != 1 {
		t.Fatalf("DueReasks = %d, want 1", len(due))
	}
	r, ok, err := db.ClaimReask(ctx, due[0])
	if err != nil || !ok || r.Source != SourceReask || r.NudgeID != "n1" {
		t.Fatalf("ClaimReask = %+v, %v, %v", r, ok, err)
	}
	if _, ok, _ := db.ClaimReask(ctx, due[0]); ok {
		t.Error("a re-ask was claimed twice")
	}
	if due, _ := db.DueReasks(ctx, reask, 10); len(due) != 0 {
		t.Error("re-ask still due after it was claimed")
	}
}

func TestReplies(t *testing.T) {
	ctx := context.Background()
	now := t0
	db := openTest(t, WithClock(func() time.Time { return now }))
	subscribed(t, db, "U1")
	d, _, _ := db.claimDelivery(ctx, Delivery{UserID: "U1", NudgeID: "n1", Kind: "delegate", Source: SourceNow, Slot: now})
	if err := db.MarkSent(ctx, d.ID, "D1", "100.1"); err != nil {
		t.Fatal(err)
	}

	r := Reply{DeliveryID: d.ID, UserID: "U1", Channel: "D1", TS: "100.2", ThreadTS: "100.1", Text: "I handed over the release <!channel>", Via: ViaThread}
	for i, want := range []bool{true, false} {
		stored, err := db.RecordReply(ctx, "Ev1", r)
		if err != nil || stored != want {
			t.Errorf("RecordReply #%d = %v, %v; want %v", i+1, stored, err, want)
		}
	}
	// The same message in a different event (Slack re-sending it) is not
	// stored twice either.
	if stored, _ := db.RecordReply(ctx, "Ev2", r); stored {
		t.Error("the same message stored twice under another event id")
	}
	// A reply cannot be filed against another user's delivery.
	if stored, _ := db.RecordReply(ctx, "Ev3", Reply{DeliveryID: d.ID, UserID: "U2", Channel: "D2", TS: "1.1", Text: "x", Via: ViaDM}); stored {
		t.Error("U2's message was filed against U1's nudge")
	}
	got, _ := db.Delivery(ctx, "U1", d.ID)
	if got.Outcome != OutcomeReplied {
		t.Errorf("outcome after a reply = %q, want replied", got.Outcome)
	}

	if ok, err := db.EditReply(ctx, "Ev4", "U1", "D1", "100.2", "edited"); err != nil || !ok {
		t.Errorf("EditReply = %v, %v", ok, err)
	}
	rs, _ := db.Replies(ctx, "U1", d.ID)
	if len(rs) != 1 || rs[0].Text != "edited" || rs[0].EditedAt.IsZero() {
		t.Errorf("after edit: %+v", rs)
	}
	if ok, err := db.DeleteReply(ctx, "Ev5", "D1", "100.2"); err != nil || !ok {
		t.Errorf("DeleteReply = %v, %v", ok, err)
	}
	if ok, _ := db.DeleteReply(ctx, "Ev5", "D1", "100.2"); ok {
		t.Error("a redelivered delete event did something")
	}
	if rs, _ := db.Replies(ctx, "U1", d.ID); len(rs) != 0 {
		t.Errorf("after delete: %+v", rs)
	}
}

func TestFollowupOnce(t *testing.T) {
	ctx := context.Background()
	now := t0
	db := openTest(t, WithClock(func() time.Time { return now }))
	subscribed(t, db, "U1")
	d, _, _ := db.claimDelivery(ctx, Delivery{UserID: "U1", NudgeID: "n1", Kind: "delegate", Source: SourceNow, Slot: now})
	if err := db.MarkSent(ctx, d.ID, "D1", "100.1"); err != nil {
		t.Fatal(err)
	}
	now = now.Add(72 * time.Hour)
	cands, err := db.FollowupCandidates(ctx, now.Add(-48*time.Hour), 10)
	if err != nil || len(cands) != 1 {
		t.Fatalf("FollowupCandidates = %v, %v", cands, err)
	}
	for i, want := range []bool{true, false} {
		ok, err := db.ClaimFollowup(ctx, d.ID)
		if err != nil || ok != want {
			t.Errorf("ClaimFollowup #%d = %v, %v; want %v", i+1, ok, err, want)
		}
	}
	if cands, _ := db.FollowupCandidates(ctx, now, 10); len(cands) != 0 {
		t.Error("followed-up delivery is still a candidate")
	}
}

func TestStaleClaimsAndReclaim(t *testing.T) {
	ctx := context.Background()
	now := t0
	db := openTest(t, WithClock(func() time.Time { return now }))
	subscribed(t, db, "U1")
	d, _, _ := db.claimDelivery(ctx, Delivery{UserID: "U1", NudgeID: "n1", Kind: "delegate", Source: SourceNow, Slot: now})
	now = now.Add(5 * time.Minute)
	stale, err := db.StaleClaims(ctx, now.Add(-2*time.Minute), 10)
	if err != nil || len(stale) != 1 || stale[0].ID != d.ID {
		t.Fatalf("StaleClaims = %+v, %v", stale, err)
	}
	for i, want := range []bool{true, false} {
		ok, err := db.Reclaim(ctx, stale[0])
		if err != nil || ok != want {
			t.Errorf("Reclaim #%d = %v, %v; want %v", i+1, ok, err, want)
		}
	}
	if stale, _ := db.StaleClaims(ctx, now.Add(-2*time.Minute), 10); len(stale) != 0 {
		t.Error("a reclaimed delivery is still stale")
	}
}

// TestHasClaimedDelivery: a user has a claimed delivery from its claim
// until it is marked sent or failed; another user's claim is not theirs.
func TestHasClaimedDelivery(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, WithClock(func() time.Time { return t0 }))
	subscribed(t, db, "U1")
	claimed := func(step string, want bool) {
		t.Helper()
		for user, w := range map[string]bool{"U1": want, "U2": false} {
			if got, err := db.HasClaimedDelivery(ctx, user); err != nil || got != w {
				t.Errorf("%s: HasClaimedDelivery(%s) = %v, %v; want %v", step, user, got, err, w)
			}
		}
	}
	claimed("before any", false)
	d, _, _ := db.claimDelivery(ctx, Delivery{UserID: "U1", NudgeID: "n1", Kind: "delegate", Source: SourceNow, Slot: t0})
	claimed("claimed", true)
	if err := db.MarkSent(ctx, d.ID, "D1", "1.000100"); err != nil {
		t.Fatal(err)
	}
	claimed("sent", false)
	d, _, _ = db.claimDelivery(ctx, Delivery{UserID: "U1", NudgeID: "n2", Kind: "delegate", Source: SourceNow, Slot: t0.Add(time.Second)})
	claimed("claimed again", true)
	if err := db.MarkFailed(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	claimed("failed", false)
}

// TestClaimNowOneAtATime: a nudge asked for now is not claimed while an
// earlier one is still unconfirmed, only once that one is sent or failed;
// a claim of another source does not stand in its way.
func TestClaimNowOneAtATime(t *testing.T) {
	ctx := context.Background()
	now := t0
	db := openTest(t, WithClock(func() time.Time { return now }))
	subscribed(t, db, "U1")
	claimNow := func() (Delivery, bool) {
		t.Helper()
		now = now.Add(time.Minute)
		d, ok, err := db.ClaimNow(ctx, Delivery{UserID: "U1", NudgeID: "n1", Kind: "delegate", Slot: now})
		if err != nil {
			t.Fatal(err)
		}
		return d, ok
	}
	if _, _, err := db.ClaimSlot(ctx, Delivery{UserID: "U1", NudgeID: "n2", Kind: "delegate", Slot: t0}, t0, t0.Add(48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	first, ok := claimNow()
	if !ok || first.Source != SourceNow {
		t.Fatalf("first claim = %+v, %v; want claimed, source now (a scheduled claim is no reason to refuse)", first, ok)
	}
	if _, ok := claimNow(); ok {
		t.Error("claimed a second nudge while the first is unconfirmed")
	}
	if err := db.MarkSent(ctx, first.ID, "D1", "1.000100"); err != nil {
		t.Fatal(err)
	}
	second, ok := claimNow()
	if !ok {
		t.Fatal("not claimed once the first was sent")
	}
	if err := db.MarkFailed(ctx, second.ID); err != nil {
		t.Fatal(err)
	}
	if _, ok := claimNow(); !ok {
		t.Error("not claimed once the one before failed")
	}
}
