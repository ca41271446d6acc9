package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// fillUser stores one of everything about user.
func fillUser(t *testing.T, db *DB, user string) {
	t.Helper()
	ctx := context.Background()
	subscribed(t, db, user)
	d, _, err := db.claimDelivery(ctx, Delivery{UserID: user, NudgeID: "n1", Kind: "delegate", Source: SourceNow, Slot: t0})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.MarkSent(ctx, d.ID, "D"+user, "1."+user); err != nil {
		t.Fatal(err)
	}
	if _, err := db.RecordReply(ctx, "Ev"+user, Reply{DeliveryID: d.ID, UserID: user, Channel: "D" + user, TS: "2." + user, Text: "reply of " + user, Via: ViaDM}); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordTipShown(ctx, user, "tip-1"); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordTipVote(ctx, user, "tip-1", true); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ClaimDigest(ctx, user, 20261116, t0, time.Time{}, t0.Add(7*24*time.Hour), true); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveProfile(ctx, Profile{UserID: user, StartedOn: t0, FormerPeers: Yes, TeamSize: 5}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ClaimMilestone(ctx, user, "day-90"); err != nil {
		t.Fatal(err)
	}
	// An edit and a deletion of DMs that have not arrived (tombstones.go).
	if _, err := db.EditReply(ctx, "EvEdit"+user, user, "D"+user, "3."+user, "early edit of "+user); err != nil {
		t.Fatal(err)
	}
	if _, err := db.DeleteReply(ctx, "EvDel"+user, "D"+user, "4."+user); err != nil {
		t.Fatal(err)
	}
}

// rowsMentioning counts, in every table and text column, the rows whose
// value is exactly id.
func rowsMentioning(t *testing.T, db *DB, id string) map[string]int {
	t.Helper()
	ctx := context.Background()
	tables, err := db.read.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for tables.Next() {
		var n string
		tables.Scan(&n)
		names = append(names, n)
	}
	tables.Close()
	found := map[string]int{}
	for _, table := range names {
		cols, err := db.read.QueryContext(ctx, `SELECT name FROM pragma_table_info(?)`, table)
		if err != nil {
			t.Fatal(err)
		}
		var colNames []string
		for cols.Next() {
			var c string
			cols.Scan(&c)
			colNames = append(colNames, c)
		}
		cols.Close()
		for _, c := range colNames {
			var n int
			q := fmt.Sprintf(`SELECT count(*) FROM %q WHERE CAST(%q AS TEXT) = ?`, table, c)
			if err := db.read.QueryRowContext(ctx, q, id).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n > 0 {
				found[table+"."+c] += n
			}
		}
	}
	return found
}

func TestForgetLeavesNoTrace(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, WithClock(func() time.Time { return t0 }))
	fillUser(t, db, "U1")
	fillUser(t, db, "U2")
	if got := rowsMentioning(t, db, "U1"); len(got) < 5 {
		t.Fatalf("before forgetting, U1 appears only in %v: the test data is too thin", got)
	}
	f, err := db.Forget(ctx, "U1")
	if err != nil {
		t.Fatal(err)
	}
	if f.Nudges != 1 || f.Replies != 1 || f.TipsSeen != 1 || f.TipVotes != 1 || f.Digests != 1 || !f.User || !f.Subscription ||
		!f.Profile || f.Milestones != 1 {
		t.Errorf("Forget = %+v, want one of each", f)
	}
	if got := rowsMentioning(t, db, "U1"); len(got) != 0 {
		t.Errorf("after Forget, U1 is still in %v", got)
	}
	// A deletion's tombstone names no user, only their DM.
	if n := tombstones(t, db, "DU1"); n != 0 {
		t.Errorf("after Forget, %d tombstones in U1's DM", n)
	}
	if n := tombstones(t, db, "DU2"); n != 2 {
		t.Errorf("%d tombstones in U2's DM after forgetting U1, want 2", n)
	}
	// U2 is untouched.
	data, err := db.UserData(ctx, "U2")
	if err != nil {
		t.Fatal(err)
	}
	if data.User == nil || len(data.Deliveries) != 1 || len(data.Replies) != 1 || len(data.TipsSeen) != 1 || len(data.TipVotes) != 1 || len(data.Digests) != 1 ||
		data.Profile == nil || data.Profile.FormerPeers != Yes || data.Profile.TeamSize != 5 || len(data.Milestones) != 1 {
		t.Errorf("U2's data after forgetting U1: %+v", data)
	}
	// Forgetting twice is harmless.
	if f, err := db.Forget(ctx, "U1"); err != nil || f.User {
		t.Errorf("second Forget = %+v, %v", f, err)
	}
}

func TestUserDataOnlyTheirs(t *testing.T) {
	db := openTest(t, WithClock(func() time.Time { return t0 }))
	fillUser(t, db, "U1")
	fillUser(t, db, "U2")
	data, err := db.UserData(context.Background(), "U1")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range data.Deliveries {
		if d.UserID != "U1" {
			t.Errorf("export of U1 holds a delivery of %s", d.UserID)
		}
	}
	for _, r := range data.Replies {
		if r.UserID != "U1" {
			t.Errorf("export of U1 holds a reply of %s", r.UserID)
		}
	}
	if data.Subscription == nil || data.Subscription.UserID != "U1" || data.User.ID != "U1" {
		t.Errorf("export of U1: %+v", data)
	}
	// An edit kept for a message that has not arrived is no reply of
	// theirs (yet): it is not exported.
	b, err := json.Marshal(data)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "early edit") {
		t.Errorf("export of U1 holds a tombstone: %s", b)
	}
}
