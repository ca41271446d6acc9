package storage

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func TestTipsSeen(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	db := openTest(t, WithClock(func() time.Time { return now }))

	for _, rec := range []struct{ user, tip string }{{"U1", "a"}, {"U1", "b"}, {"U1", "a"}, {"U2", "a"}} {
		if err := db.RecordTipShown(ctx, rec.user, rec.tip); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Minute)
	}
	got, err := db.TipsSeen(ctx, "U1")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["a"].Times != 2 || got["b"].Times != 1 {
		t.Errorf("TipsSeen(U1) = %+v, want a twice and b once", got)
	}
	if !got["a"].LastSeen.After(got["a"].FirstSeen) {
		t.Errorf("tip a: last seen %v not after first seen %v", got["a"].LastSeen, got["a"].FirstSeen)
	}
	// Another user's history is separate.
	other, err := db.TipsSeen(ctx, "U2")
	if err != nil || len(other) != 1 || other["a"].Times != 1 {
		t.Errorf("TipsSeen(U2) = %+v, %v", other, err)
	}
	none, err := db.TipsSeen(ctx, "U3")
	if err != nil || len(none) != 0 {
		t.Errorf("TipsSeen(U3) = %+v, %v; want empty", none, err)
	}
}

func TestTipVotes(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	db := openTest(t, WithClock(func() time.Time { return now }))
	votes := []struct {
		user, tip string
		helpful   bool
	}{
		{"U1", "a", true}, {"U2", "a", true}, {"U3", "a", false},
		{"U1", "b", false}, {"U2", "b", false},
		{"U1", "c", true},
		{"U2", "c", true}, {"U2", "c", false}, // a second press replaces the first
	}
	for _, v := range votes {
		if err := db.RecordTipVote(ctx, v.user, v.tip, v.helpful); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Minute)
	}
	got, err := db.TipRatings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []TipRating{{"b", 0, 2}, {"c", 1, 1}, {"a", 2, 1}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("TipRatings = %v, want %v (worst share of unhelpful first)", got, want)
	}
	mine, err := db.tipVotes(ctx, "U2")
	if err != nil {
		t.Fatal(err)
	}
	if len(mine) != 3 || !mine[0].Helpful || mine[1].Helpful || mine[2].TipID != "c" || mine[2].Helpful {
		t.Errorf("tipVotes(U2) = %+v, want a helpful, b and c not", mine)
	}
}
