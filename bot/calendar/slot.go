package calendar

import (
	"fmt"
	"time"

	"github.com/robfig/cron/v3"
)

// cronParser reads standard five-field specs with a CRON_TZ= prefix.
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow)

// NextSlot returns the first time strictly after after at which a
// schedule of days at minute (local time in loc) fires, or the zero time
// if days is empty. robfig/cron evaluates the schedule in loc, so 09:30
// stays 09:30 local across daylight-saving changes; on the days the clocks
// change, the slot follows two rules cron alone does not:
//
//   - a time the spring change skips (02:30 in Berlin on the last Sunday of
//     March) fires at the first minute after the gap (03:00), not a week
//     later;
//   - a time the autumn change repeats fires once, the first time round;
//     and a time that exists once next to a change (Sunday 00:00 in
//     Santiago, where the clocks go back from Sunday 00:00 to Saturday
//     23:00) fires at that one instant, never on the day before.
func NextSlot(days Days, minute int, loc *time.Location, after time.Time) time.Time {
	if days == 0 {
		return time.Time{}
	}
	n := cronNext(days, minute, loc, after)
	// Cron's answer is right on ordinary days. Around a clock change it may
	// skip a day, repeat a time, or land on the wrong day: the slot of each
	// day up to cron's answer is worked out directly, and the first after
	// after wins.
	local := after.In(loc)
	y, m, d := local.Date()
	for i := range 8 {
		day := time.Date(y, m, d+i, 12, 0, 0, 0, loc)
		if !days.Has(day.Weekday()) {
			continue
		}
		s := slotOn(day.Year(), day.Month(), day.Day(), minute, loc)
		if !s.After(after) {
			continue
		}
		if n.IsZero() || s.Before(n) || !isSlot(n, days, minute, loc) {
			return s
		}
		return n
	}
	return n
}

func cronNext(days Days, minute int, loc *time.Location, after time.Time) time.Time {
	spec := fmt.Sprintf("CRON_TZ=%s %d %d * * %s", loc.String(), minute%60, minute/60, days.cronDays())
	sched, err := cronParser.Parse(spec)
	if err != nil {
		// Only a location cron cannot load could get here: the slots are
		// worked out without it.
		return time.Time{}
	}
	return sched.Next(after)
}

// isSlot reports whether t is the slot of its own local day.
func isSlot(t time.Time, days Days, minute int, loc *time.Location) bool {
	l := t.In(loc)
	return days.Has(l.Weekday()) && slotOn(l.Year(), l.Month(), l.Day(), minute, loc).Equal(t)
}

// slotOn returns the instant at which the clock in loc first reads minute
// on the given date; if the clocks skip that time, the first instant after
// the gap.
func slotOn(y int, mo time.Month, d, minute int, loc *time.Location) time.Time {
	wall := time.Date(y, mo, d, minute/60, minute%60, 0, 0, time.UTC) // the clock reading, as if it were UTC
	var first time.Time
	// The offsets that can be in force that day: a day and a half either
	// side covers any change that day, and no zone changes twice in three
	// days.
	for _, probe := range []time.Time{wall.Add(-36 * time.Hour), wall, wall.Add(36 * time.Hour)} {
		_, off := probe.In(loc).Zone()
		t := wall.Add(-time.Duration(off) * time.Second)
		if reads(t.In(loc), wall) && (first.IsZero() || t.Before(first)) {
			first = t
		}
	}
	if !first.IsZero() {
		return first
	}
	// In a gap: read with the offset from before it, the instant is already
	// past the change; the change itself is the first minute after the gap.
	_, before := wall.Add(-36 * time.Hour).In(loc).Zone()
	start, _ := wall.Add(-time.Duration(before) * time.Second).In(loc).ZoneBounds()
	return start
}

// reads reports whether the local time l shows the clock reading wall.
func reads(l, wall time.Time) bool {
	y, m, d := l.Date()
	wy, wm, wd := wall.Date()
	return y == wy && m == wm && d == wd && l.Hour() == wall.Hour() && l.Minute() == wall.Minute()
}

// Latest returns the last slot at or before t, or the zero time if days
// is empty.
func Latest(days Days, minute int, loc *time.Location, t time.Time) time.Time {
	s := NextSlot(days, minute, loc, t.Add(-8*24*time.Hour))
	if s.IsZero() {
		return s
	}
	for {
		n := NextSlot(days, minute, loc, s)
		if n.After(t) {
			return s
		}
		s = n
	}
}

// Due returns, for a schedule whose next slot due has come, the latest
// slot at or before now (after downtime only that one can still be worth
// sending) and the slot after it.
func Due(days Days, minute int, loc *time.Location, due, now time.Time) (slot, next time.Time) {
	slot = due
	for range 1000 {
		n := NextSlot(days, minute, loc, slot)
		if n.IsZero() || n.After(now) {
			break
		}
		slot = n
	}
	return slot, NextSlot(days, minute, loc, slot)
}

// AddWorkingDays returns t moved forward by n working days (Monday to
// Friday) in loc, keeping the local time of day. From a Friday, two
// working days later is Tuesday; from a Saturday it is Tuesday too.
func AddWorkingDays(t time.Time, n int, loc *time.Location) time.Time {
	local := t.In(loc)
	y, m, d := local.Date()
	for n > 0 {
		d++
		wd := time.Date(y, m, d, 12, 0, 0, 0, loc).Weekday()
		if wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return time.Date(y, m, d, local.Hour(), local.Minute(), local.Second(), 0, loc)
}
