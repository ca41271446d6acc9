// Package calendar is Lead Coach's calendar: sets of weekdays, reading the
// days and times people type, the next slot of a schedule in a timezone
// with its daylight-saving rules, working days and calendar weeks. It is
// the one place these are computed; storage takes their results as
// values. Errors are typed; what to tell a user is the caller's wording.
package calendar

import (
	"math/bits"
	"strconv"
	"strings"
	"time"
)

// Days is a set of days of the week: bit d is time.Weekday d.
type Days uint8

// Common sets of days.
const (
	Workweek Days = 1<<time.Monday | 1<<time.Tuesday | 1<<time.Wednesday | 1<<time.Thursday | 1<<time.Friday
	Weekend  Days = 1<<time.Saturday | 1<<time.Sunday
	EveryDay Days = 0x7f
)

// DaysOf returns the set of ds.
func DaysOf(ds ...time.Weekday) Days {
	var out Days
	for _, d := range ds {
		out |= 1 << d
	}
	return out
}

// Has reports whether d is in w.
func (w Days) Has(d time.Weekday) bool { return w&(1<<d) != 0 }

// Only returns the one day in w, and false if w holds none or several.
func (w Days) Only() (time.Weekday, bool) {
	if bits.OnesCount8(uint8(w)) != 1 {
		return 0, false
	}
	return time.Weekday(bits.TrailingZeros8(uint8(w))), true
}

// MondayFirst returns the days of w in the order people list a week.
func (w Days) MondayFirst() []time.Weekday {
	var out []time.Weekday
	for i := range 7 {
		if d := (time.Monday + time.Weekday(i)) % 7; w.Has(d) {
			out = append(out, d)
		}
	}
	return out
}

// String names the days in plain words: "Monday, Wednesday and Friday",
// "every weekday", "every day", "weekends".
func (w Days) String() string {
	switch w {
	case EveryDay:
		return "every day"
	case Workweek:
		return "every weekday"
	case Weekend:
		return "weekends"
	}
	return and(w.names())
}

// Every names the days as a schedule is said: "every Monday, Wednesday and
// Friday", "every Friday", "every weekday", "every day", "on no day".
func (w Days) Every() string {
	switch w {
	case 0:
		return "on no day"
	case EveryDay, Workweek:
		return w.String()
	}
	return "every " + and(w.names())
}

func (w Days) names() []string {
	var names []string
	for _, d := range w.MondayFirst() {
		names = append(names, d.String())
	}
	return names
}

func and(names []string) string {
	if len(names) <= 1 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// cronDays is the day-of-week field of a cron spec.
func (w Days) cronDays() string {
	var ds []string
	for d := time.Sunday; d <= time.Saturday; d++ {
		if w.Has(d) {
			ds = append(ds, strconv.Itoa(int(d)))
		}
	}
	return strings.Join(ds, ",")
}

// LoadLocation returns the timezone named by Slack, or UTC if the name is
// empty or unknown.
func LoadLocation(name string) *time.Location {
	if name == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return loc
}
