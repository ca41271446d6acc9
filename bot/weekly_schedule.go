package bot

import (
	"time"

	"github.com/leadcoach/leadbot/bot/calendar"
	"github.com/leadcoach/leadbot/storage"
)

// weeklySchedule is when a channel's prompt goes out: one day a week at a
// local time of day in the timezone of the person who set it. The slots
// and weeks are the calendar's.
type weeklySchedule struct {
	day    time.Weekday
	minute int
	loc    *time.Location
}

func scheduleOf(c storage.TeamChannel) weeklySchedule {
	return weeklySchedule{day: c.Weekday, minute: c.Minute, loc: calendar.LoadLocation(c.TZ)}
}

func (w weeklySchedule) days() calendar.Days { return calendar.DaysOf(w.day) }

// next returns the first slot strictly after after.
func (w weeklySchedule) next(after time.Time) time.Time {
	return calendar.NextSlot(w.days(), w.minute, w.loc, after)
}

// week returns the calendar week that t falls in, in the schedule's
// timezone, as storage keys it.
func (w weeklySchedule) week(t time.Time) int { return int(calendar.WeekOf(t, w.loc)) }

// firstAfterWeekOf returns the first slot after the calendar week that t
// falls in.
func (w weeklySchedule) firstAfterWeekOf(t time.Time) time.Time {
	return calendar.FirstAfterWeek(w.days(), w.minute, w.loc, t)
}

// latest returns the last slot at or before t.
func (w weeklySchedule) latest(t time.Time) time.Time {
	return calendar.Latest(w.days(), w.minute, w.loc, t)
}

// weeklyDue decides what to do with a channel whose next slot, due, has
// come: the slot to post now (the latest one at or before now), the slot
// after it, and whether it is too late to post (missed by more than the
// catch-up window).
func weeklyDue(w weeklySchedule, due, now time.Time, catchup time.Duration) (slot, next time.Time, tooLate bool) {
	slot, next = calendar.Due(w.days(), w.minute, w.loc, due, now)
	return slot, next, now.Sub(slot) > max(catchup, onTimeGrace)
}
