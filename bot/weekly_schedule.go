package bot

import (
	"math/bits"
	"time"

	"github.com/leadcoach/leadbot/storage"
)

// weeklySchedule is when a channel's prompt goes out: one day a week at a
// local time of day in the timezone of the person who set it.
type weeklySchedule struct {
	day    time.Weekday
	minute int
	loc    *time.Location
}

func scheduleOf(c storage.TeamChannel) weeklySchedule {
	return weeklySchedule{day: c.Weekday, minute: c.Minute, loc: loadLocation(c.TZ)}
}

// oneDay returns the only day in days, and false if days holds none or
// more than one: a weekly prompt goes out once a week.
func oneDay(days weekdays) (time.Weekday, bool) {
	if bits.OnesCount8(uint8(days)) != 1 {
		return 0, false
	}
	return time.Weekday(bits.TrailingZeros8(uint8(days))), true
}

// next returns the first slot strictly after after. It is nextSlot, except
// on the day the clocks jump forward over the chosen time: cron skips a
// local time that does not exist (and with it the whole week), whereas a
// team should still get its prompt, an hour later than usual. On the day
// the clocks go back over it, the slot is the first time round, once.
func (w weeklySchedule) next(after time.Time) time.Time {
	n := nextSlot(1<<w.day, w.minute, w.loc, after)
	local := after.In(w.loc)
	y, m, d := local.Date()
	for i := range 8 {
		if time.Date(y, m, d+i, 12, 0, 0, 0, w.loc).Weekday() != w.day {
			continue
		}
		// time.Date moves a time in the gap forward by the gap's length;
		// in a repeated hour it may give either occurrence.
		c := firstOccurrence(time.Date(y, m, d+i, w.minute/60, w.minute%60, 0, 0, w.loc), w.loc)
		if c.After(after) && (n.IsZero() || c.Before(n)) {
			return c
		}
	}
	return n
}

// week returns the calendar week (Monday to Sunday in the schedule's
// timezone) that t falls in, as storage keys it.
func (w weeklySchedule) week(t time.Time) int { return storage.WeekOf(t, w.loc) }

// firstAfterWeekOf returns the first slot after the calendar week that t
// falls in.
func (w weeklySchedule) firstAfterWeekOf(t time.Time) time.Time {
	l := t.In(w.loc)
	y, m, d := l.Date()
	nextMonday := time.Date(y, m, d+7-(int(l.Weekday())+6)%7, 0, 0, 0, 0, w.loc)
	return w.next(nextMonday.Add(-time.Second))
}

// latest returns the last slot at or before t: the start of the schedule's
// week that t falls in.
func (w weeklySchedule) latest(t time.Time) time.Time {
	s := w.next(t.Add(-8 * 24 * time.Hour))
	for {
		n := w.next(s)
		if n.After(t) {
			return s
		}
		s = n
	}
}

// weeklyDue decides what to do with a channel whose next slot, due, has
// come: the slot to post now (the latest one at or before now: after
// downtime only that one can still be worth posting), the slot after it,
// and whether it is too late to post (missed by more than the catch-up
// window).
func weeklyDue(w weeklySchedule, due, now time.Time, catchup time.Duration) (slot, next time.Time, tooLate bool) {
	slot = due
	for range 1000 {
		n := w.next(slot)
		if n.IsZero() || n.After(now) {
			break
		}
		slot = n
	}
	return slot, w.next(slot), now.Sub(slot) > max(catchup, onTimeGrace)
}
