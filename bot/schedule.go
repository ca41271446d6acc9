package bot

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// weekdays is a set of days of the week: bit d is time.Weekday d.
type weekdays uint8

const (
	workweek       weekdays = 1<<time.Monday | 1<<time.Tuesday | 1<<time.Wednesday | 1<<time.Thursday | 1<<time.Friday
	everyDay       weekdays = 0x7f
	defaultDays    weekdays = 1<<time.Monday | 1<<time.Wednesday | 1<<time.Friday
	defaultMinute           = 9*60 + 30 // 09:30
	scheduleSample          = "`/lead-tip schedule mon,thu 08:45`"
)

func (w weekdays) has(d time.Weekday) bool { return w&(1<<d) != 0 }

// String names the days in plain words: "Monday, Wednesday and Friday",
// "every weekday", "every day".
func (w weekdays) String() string {
	switch w {
	case everyDay:
		return "every day"
	case workweek:
		return "every weekday"
	case 1<<time.Saturday | 1<<time.Sunday:
		return "weekends"
	}
	var names []string
	for _, d := range weekOrder {
		if w.has(d) {
			names = append(names, d.String())
		}
	}
	if len(names) <= 1 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// every names the days as a schedule is said: "every Monday, Wednesday and
// Friday", "every Friday", "every Saturday and Sunday", "every weekday",
// "every day".
func (w weekdays) every() string {
	switch w {
	case 0:
		return "on no day"
	case everyDay, workweek:
		return w.String()
	}
	var names []string
	for _, d := range weekOrder {
		if w.has(d) {
			names = append(names, d.String())
		}
	}
	if len(names) == 1 {
		return "every " + names[0]
	}
	return "every " + strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// cronDays is the day-of-week field of a cron spec.
func (w weekdays) cronDays() string {
	var ds []string
	for d := time.Sunday; d <= time.Saturday; d++ {
		if w.has(d) {
			ds = append(ds, strconv.Itoa(int(d)))
		}
	}
	return strings.Join(ds, ",")
}

// weekOrder is Monday first, as people list their week.
var weekOrder = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

var dayNames = map[string]time.Weekday{
	"mon": time.Monday, "monday": time.Monday, "mo": time.Monday,
	"tue": time.Tuesday, "tues": time.Tuesday, "tuesday": time.Tuesday, "tu": time.Tuesday,
	"wed": time.Wednesday, "wednesday": time.Wednesday, "we": time.Wednesday,
	"thu": time.Thursday, "thur": time.Thursday, "thurs": time.Thursday, "thursday": time.Thursday, "th": time.Thursday,
	"fri": time.Friday, "friday": time.Friday, "fr": time.Friday,
	"sat": time.Saturday, "saturday": time.Saturday, "sa": time.Saturday,
	"sun": time.Sunday, "sunday": time.Sunday, "su": time.Sunday,
}

var daySets = map[string]weekdays{
	"weekdays": workweek, "workdays": workweek, "daily": everyDay, "everyday": everyDay,
	"weekends": 1<<time.Saturday | 1<<time.Sunday, "weekend": 1<<time.Saturday | 1<<time.Sunday,
}

// scheduleError is a schedule the user typed that cannot be read. Its
// message is shown to them as is: friendly, with an example.
type scheduleError struct{ msg string }

func (e scheduleError) Error() string { return e.msg }

// parseSchedule reads "mon,thu 08:45", "tue 16:00", "weekdays 9am", "8:45"
// or "fri". Days or time may be left out; then ok reports which were given.
// The words are matched case-insensitively; commas, spaces and ranges
// (mon-fri) are accepted.
func parseSchedule(args []string) (days weekdays, minute int, haveDays, haveTime bool, err error) {
	for _, arg := range args {
		arg = strings.ToLower(strings.Trim(arg, ",. "))
		if arg == "" || arg == "at" || arg == "on" || arg == "every" {
			continue
		}
		if m, ok := parseClock(arg); ok {
			if haveTime {
				return 0, 0, false, false, scheduleError{"Please give one time of day, for example " + scheduleSample + "."}
			}
			minute, haveTime = m, true
			continue
		}
		d, derr := parseDays(arg)
		if derr != nil {
			return 0, 0, false, false, derr
		}
		days |= d
		haveDays = true
	}
	return days, minute, haveDays, haveTime, nil
}

// parseDays reads one word of days: "mon", "mon,thu", "mon-fri", "weekdays".
func parseDays(word string) (weekdays, error) {
	var out weekdays
	for _, part := range strings.Split(word, ",") {
		if part == "" {
			continue
		}
		if set, ok := daySets[part]; ok {
			out |= set
			continue
		}
		if from, to, isRange := strings.Cut(part, "-"); isRange {
			a, okA := dayNames[from]
			b, okB := dayNames[to]
			if !okA || !okB {
				return 0, badDay(part)
			}
			for d := a; ; d = (d + 1) % 7 {
				out |= 1 << d
				if d == b {
					break
				}
			}
			continue
		}
		d, ok := dayNames[part]
		if !ok {
			return 0, badDay(part)
		}
		out |= 1 << d
	}
	return out, nil
}

func badDay(word string) error {
	return scheduleError{fmt.Sprintf("I could not read %q as a day or a time. Use day names like mon, tue, wed and a time like 08:45 or 4pm, for example %s.",
		escape(clip(word, 20)), scheduleSample)}
}

// parseClock reads a time of day: "8:45", "08:45", "16:00", "9am", "4pm",
// "4:30pm", "9". It returns minutes after midnight.
func parseClock(s string) (int, bool) {
	suffix := ""
	switch {
	case strings.HasSuffix(s, "am"), strings.HasSuffix(s, "pm"):
		suffix, s = s[len(s)-2:], strings.TrimSpace(s[:len(s)-2])
	case strings.HasSuffix(s, "h"):
		s = s[:len(s)-1]
	}
	hs, ms, hasMin := strings.Cut(s, ":")
	if !hasMin {
		hs, ms, hasMin = strings.Cut(s, ".")
	}
	if hs == "" || len(hs) > 2 || !isDigits(hs) || (hasMin && (len(ms) != 2 || !isDigits(ms))) {
		return 0, false
	}
	if !hasMin && suffix == "" && len(s) > 2 {
		return 0, false
	}
	h, _ := strconv.Atoi(hs)
	m := 0
	if hasMin {
		m, _ = strconv.Atoi(ms)
	}
	switch suffix {
	case "am", "pm":
		if h < 1 || h > 12 {
			return 0, false
		}
		h %= 12
		if suffix == "pm" {
			h += 12
		}
	}
	if h > 23 || m > 59 {
		return 0, false
	}
	return h*60 + m, true
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// clock formats minutes after midnight as 09:30.
func clock(minute int) string { return fmt.Sprintf("%02d:%02d", minute/60, minute%60) }

// cronParser reads standard five-field specs with a CRON_TZ= prefix.
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow)

// nextSlot returns the first time strictly after after at which a schedule
// of days at minute (local time in loc) fires. robfig/cron evaluates the
// spec in loc, so 09:30 stays 09:30 local across daylight-saving changes.
// On the night the clocks go back, cron fires in the repeated hour twice;
// only the first occurrence counts. It returns the zero time if days is
// empty.
func nextSlot(days weekdays, minute int, loc *time.Location, after time.Time) time.Time {
	if days == 0 {
		return time.Time{}
	}
	spec := fmt.Sprintf("CRON_TZ=%s %d %d * * %s", loc.String(), minute%60, minute/60, days.cronDays())
	sched, err := cronParser.Parse(spec)
	if err != nil {
		// Only a location cron cannot load could get here; fall back to UTC
		// rather than never nudging.
		sched, _ = cronParser.Parse(fmt.Sprintf("%d %d * * %s", minute%60, minute/60, days.cronDays()))
		return sched.Next(after.In(time.UTC))
	}
	n := sched.Next(after)
	for range 2 { // one schedule fires at most once in a repeated hour
		first := firstOccurrence(n, loc)
		if !first.Before(n) {
			return n
		}
		if first.After(after) {
			return first
		}
		n = sched.Next(n) // the first time round was at or before after
	}
	return n
}

// firstOccurrence returns the earliest instant whose wall clock in loc
// reads as t's does: t itself, except in the hour that a change back from
// summer time repeats, where it is the first time round.
func firstOccurrence(t time.Time, loc *time.Location) time.Time {
	local := t.In(loc)
	start, _ := local.ZoneBounds()
	if start.IsZero() {
		return t
	}
	_, off := local.Zone()
	_, before := start.Add(-time.Second).Zone()
	if before <= off {
		return t // the clocks went forward, or only the zone's name changed
	}
	earlier := t.Add(-time.Duration(before-off) * time.Second)
	if earlier.Before(start) && sameWallClock(earlier.In(loc), local) {
		return earlier
	}
	return t
}

func sameWallClock(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd && a.Hour() == b.Hour() && a.Minute() == b.Minute() && a.Second() == b.Second()
}

// addWorkingDays returns t moved forward by n working days (Monday to
// Friday) in loc, keeping the local time of day. From a Friday, two working
// days later is Tuesday; from a Saturday it is Tuesday too.
func addWorkingDays(t time.Time, n int, loc *time.Location) time.Time {
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

// loadLocation returns the timezone named by Slack, or UTC if the name is
// empty or unknown.
func loadLocation(name string) *time.Location {
	if name == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return loc
}

// clip shortens s to at most n runes, with an ellipsis if cut.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// formatWhen says when t is, in loc, the way people say it: "Monday 23
// November at 09:30 (Europe/Berlin)".
func formatWhen(t time.Time, loc *time.Location) string {
	l := t.In(loc)
	return fmt.Sprintf("%s %d %s at %s (%s)", l.Weekday(), l.Day(), l.Month(), l.Format("15:04"), loc.String())
}
