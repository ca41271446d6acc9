package bot

import (
	"testing"
	"time"

	"github.com/leadcoach/leadbot/storage"
)

func TestSummarise(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, berlin) // Wednesday
	at := func(daysAgo int) time.Time { return now.AddDate(0, 0, -daysAgo) }
	ds := []storage.Delivery{
		{ID: 1, Kind: "delegate", ClaimedAt: at(1), Outcome: storage.OutcomeDone},   // this week
		{ID: 2, Kind: "delegate", ClaimedAt: at(7), Outcome: storage.OutcomeNotYet}, // last week
		{ID: 3, Kind: "listen", ClaimedAt: at(8), Outcome: storage.OutcomeDone},     // last week
		{ID: 4, Kind: "listen", ClaimedAt: at(14), Outcome: storage.OutcomeDone},    // two weeks ago
		{ID: 5, Kind: "listen", ClaimedAt: at(28), Outcome: storage.OutcomeDone},    // four weeks ago: gap before
		{ID: 6, Kind: "mentor", ClaimedAt: at(0), Outcome: storage.OutcomeSkipped},  // this week
		{ID: 7, Kind: "mentor", ClaimedAt: at(0), State: storage.StateFailed},       // never delivered
		{ID: 8, Kind: "mentor", ClaimedAt: at(100), Outcome: storage.OutcomeDone},   // outside the chart
	}
	p := summarise(ds, now, berlin)
	if len(p.thisWeek) != 2 {
		t.Errorf("this week: %d nudges, want 2", len(p.thisWeek))
	}
	if p.streak != 3 {
		t.Errorf("streak = %d, want 3", p.streak)
	}
	if got := *p.perKind["delegate"]; got != (kindTotals{done: 1, notYet: 1}) {
		t.Errorf("delegate totals = %+v", got)
	}
	if got := *p.perKind["mentor"]; got != (kindTotals{done: 1, skipped: 1}) {
		t.Errorf("mentor totals = %+v", got)
	}
	if len(p.weeks) != chartWeeks {
		t.Fatalf("%d chart weeks, want %d", len(p.weeks), chartWeeks)
	}
	last := p.weeks[chartWeeks-1]
	if last.Done != 1 || last.Skipped != 1 || !last.Start.Equal(time.Date(2026, 11, 23, 0, 0, 0, 0, berlin)) {
		t.Errorf("this week's bar = %+v", last)
	}
	if prev := p.weeks[chartWeeks-2]; prev.Done != 1 || prev.NotYet != 1 {
		t.Errorf("last week's bar = %+v", prev)
	}
	// Nothing done yet this week does not break a streak that ran to last week.
	p = summarise(ds[1:], now, berlin)
	if p.streak != 2 {
		t.Errorf("streak without this week's done = %d, want 2", p.streak)
	}
}

// TestSummariseMidnightSkipped: in a week whose Monday starts at 01:00
// (Tehran moved its clocks at midnight on Monday 22 March 2021), the weeks
// before it still line up with the nudges claimed in them.
func TestSummariseMidnightSkipped(t *testing.T) {
	tehran, err := time.LoadLocation("Asia/Tehran")
	if err != nil {
		t.Skip(err)
	}
	now := time.Date(2021, 3, 24, 12, 0, 0, 0, tehran) // Wednesday
	ds := []storage.Delivery{
		{ID: 1, Kind: "delegate", ClaimedAt: now, Outcome: storage.OutcomeDone},
		{ID: 2, Kind: "delegate", ClaimedAt: now.AddDate(0, 0, -7), Outcome: storage.OutcomeDone},
	}
	p := summarise(ds, now, tehran)
	if p.streak != 2 {
		t.Errorf("streak = %d, want 2", p.streak)
	}
	if prev := p.weeks[chartWeeks-2]; prev.Done != 1 || !prev.Start.Equal(time.Date(2021, 3, 15, 0, 0, 0, 0, tehran)) {
		t.Errorf("last week's bar = %+v", prev)
	}
}
