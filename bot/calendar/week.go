package calendar

import "time"

// Week is a calendar week, Monday to Sunday in some timezone, written as
// the date of its Monday: 20261123. Storage keys weekly things by it.
type Week int

// WeekOf returns the week that t falls in, in loc.
func WeekOf(t time.Time, loc *time.Location) Week {
	l := t.In(loc)
	y, m, d := l.Date()
	monday := time.Date(y, m, d-(int(l.Weekday())+6)%7, 12, 0, 0, 0, time.UTC)
	return Week(monday.Year()*10000 + int(monday.Month())*100 + monday.Day())
}

// Start returns when the week begins: its Monday at 00:00 in loc (or the
// first instant of that Monday, if the clocks skip midnight).
func (w Week) Start(loc *time.Location) time.Time {
	y, m, d := int(w)/10000, time.Month(int(w)/100%100), int(w)%100
	return slotOn(y, m, d, 0, loc)
}

// Next returns the week after w.
func (w Week) Next() Week { return w.addDays(7) }

// Prev returns the week before w.
func (w Week) Prev() Week { return w.addDays(-7) }

func (w Week) addDays(n int) Week {
	y, m, d := int(w)/10000, time.Month(int(w)/100%100), int(w)%100
	t := time.Date(y, m, d+n, 12, 0, 0, 0, time.UTC)
	return Week(t.Year()*10000 + int(t.Month())*100 + t.Day())
}

// FirstAfterWeek returns the first slot of a schedule after the week that
// t falls in.
func FirstAfterWeek(days Days, minute int, loc *time.Location, t time.Time) time.Time {
	return NextSlot(days, minute, loc, WeekOf(t, loc).Next().Start(loc).Add(-time.Second))
}

// WeekKey returns WeekOf(t) in the timezone named tz (UTC if unknown) as
// a plain number, the shape storage.WithWeeks takes.
func WeekKey(t time.Time, tz string) int { return int(WeekOf(t, LoadLocation(tz))) }
