package bot

import (
	"time"

	"github.com/leadcoach/leadbot/bot/calendar"
	"github.com/leadcoach/leadbot/bot/chart"
	"github.com/leadcoach/leadbot/storage"
)

// progress summarises a user's deliveries for the Home tab and the digest.
type progress struct {
	thisWeek []storage.Delivery // this week's nudges, oldest first
	streak   int                // consecutive weeks, up to this one, with a nudge done
	perKind  map[string]*kindTotals
	weeks    []chart.Week // the last chartWeeks weeks, oldest first
}

type kindTotals struct{ done, notYet, skipped int }

const chartWeeks = 8

// summarise computes progress from a user's deliveries (any order) as of
// now in loc, with the last chartWeeks weeks for the chart. The weeks run
// Monday to Sunday in the user's timezone.
func summarise(ds []storage.Delivery, now time.Time, loc *time.Location) progress {
	return summariseWeeks(ds, now, loc, chartWeeks)
}

// summariseWeeks is summarise with the last n weeks for the chart.
func summariseWeeks(ds []storage.Delivery, now time.Time, loc *time.Location, n int) progress {
	p := progress{perKind: map[string]*kindTotals{}}
	thisWeek := calendar.WeekOf(now, loc)
	doneWeeks := map[calendar.Week]bool{}
	weekIndex := map[calendar.Week]int{}
	w := thisWeek
	for range n - 1 {
		w = w.Prev()
	}
	for range n {
		weekIndex[w] = len(p.weeks)
		p.weeks = append(p.weeks, chart.Week{Start: w.Start(loc)})
		w = w.Next()
	}
	for _, d := range sortedOldestFirst(ds) {
		if d.State == storage.StateFailed || d.Kind == storage.KindLookBack {
			continue
		}
		wk := calendar.WeekOf(d.ClaimedAt, loc)
		if wk >= thisWeek {
			p.thisWeek = append(p.thisWeek, d)
		}
		t := p.perKind[d.Kind]
		if t == nil {
			t = &kindTotals{}
			p.perKind[d.Kind] = t
		}
		i, inChart := weekIndex[wk]
		switch d.Outcome {
		case storage.OutcomeDone:
			t.done++
			doneWeeks[wk] = true
			if inChart {
				p.weeks[i].Done++
			}
		case storage.OutcomeNotYet:
			t.notYet++
			if inChart {
				p.weeks[i].NotYet++
			}
		case storage.OutcomeSkipped:
			t.skipped++
			if inChart {
				p.weeks[i].Skipped++
			}
		}
	}
	// The streak counts back from this week; a week not finished yet that
	// has nothing done does not break it.
	wk := thisWeek
	if !doneWeeks[wk] {
		wk = wk.Prev()
	}
	for doneWeeks[wk] {
		p.streak++
		wk = wk.Prev()
	}
	return p
}
