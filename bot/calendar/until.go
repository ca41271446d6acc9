package calendar

import (
	"strconv"
	"strings"
	"time"
)

// UntilDate reads the day in "pause until …": "tomorrow", a day of the
// week ("friday", "fri": the next one after today), "next week" (its
// Monday), or a date: "2027-01-10", "10 january", "jan 10th, 2027". A date
// without a year is the next one after today. Today is now's date in loc,
// the user's timezone. It returns the start of that day in loc, and false
// if text is none of these or names no real date.
func UntilDate(text string, now time.Time, loc *time.Location) (time.Time, bool) {
	words := strings.Fields(strings.ToLower(strings.ReplaceAll(text, ",", " ")))
	today := now.In(loc)
	y, m, d := today.Date()
	if len(words) == 2 && words[0] == "next" {
		if words[1] == "week" {
			return WeekOf(now, loc).Next().Start(loc), true
		}
		words = words[1:] // "next friday" is the coming Friday, as "friday" is
	}
	if len(words) == 1 {
		if words[0] == "tomorrow" {
			return slotOn(y, m, d+1, 0, loc), true
		}
		if wd, ok := Day(words[0]); ok {
			ahead := (int(wd)-int(today.Weekday())+6)%7 + 1 // 1 to 7 days
			return slotOn(y, m, d+ahead, 0, loc), true
		}
		if t, err := time.Parse("2006-01-02", words[0]); err == nil {
			return slotOn(t.Year(), t.Month(), t.Day(), 0, loc), true
		}
		return time.Time{}, false
	}
	year, month, day, ok := dayMonthYear(words)
	if !ok {
		return time.Time{}, false
	}
	if year == 0 {
		year = y
		if month < m || (month == m && day <= d) {
			year++
		}
	}
	if t := time.Date(year, month, day, 12, 0, 0, 0, time.UTC); t.Month() != month {
		return time.Time{}, false // 31 February
	}
	return slotOn(year, month, day, 0, loc), true
}

// dayMonthYear reads a month's name and a day of the month, in either
// order, and maybe a year after them: "10 january", "jan 10th 2027". The
// year is 0 when not given.
func dayMonthYear(words []string) (year int, month time.Month, day int, ok bool) {
	if len(words) != 2 && len(words) != 3 {
		return 0, 0, 0, false
	}
	for i, w := range words {
		if mo, isMonth := monthOf(w); isMonth && month == 0 && i < 2 {
			month = mo
			continue
		}
		n, err := strconv.Atoi(strings.TrimRight(w, "stndrh")) // 1st, 2nd, 3rd, 10th
		switch {
		case err != nil:
			return 0, 0, 0, false
		case i < 2 && day == 0 && n >= 1 && n <= 31:
			day = n
		case i == 2 && n >= 2000 && n <= 9999:
			year = n
		default:
			return 0, 0, 0, false
		}
	}
	return year, month, day, month != 0 && day != 0
}

// monthOf reads a month's name or an abbreviation of at least three
// letters ("jan", "sept"), lower-case.
func monthOf(word string) (time.Month, bool) {
	for mo := time.January; mo <= time.December; mo++ {
		name := strings.ToLower(mo.String())
		if word == name || (len(word) >= 3 && strings.HasPrefix(name, word)) {
			return mo, true
		}
	}
	return 0, false
}
