package calendar

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ErrorKind says what could not be read in a schedule.
type ErrorKind int

// The kinds of ParseError.
const (
	UnknownWord ErrorKind = iota + 1 // a word that is neither a day nor a time
	TwoTimes                         // more than one time of day
)

// ParseError is a schedule that cannot be read. Word is the word at fault
// (for UnknownWord), as typed.
type ParseError struct {
	Kind ErrorKind
	Word string
}

func (e *ParseError) Error() string {
	if e.Kind == TwoTimes {
		return "schedule: more than one time of day"
	}
	return fmt.Sprintf("schedule: %q is neither a day nor a time", e.Word)
}

// Schedule is a schedule as typed: days and a time of day, either of
// which may be missing.
type Schedule struct {
	Days    Days
	Minute  int // minutes after midnight
	HasDays bool
	HasTime bool
}

// ParseSchedule reads "mon,thu 08:45", "tue 16:00", "weekdays 9am", "8:45"
// or "fri", case-insensitively; commas, spaces, ranges (mon-fri) and the
// words at, on and every are accepted. It returns a *ParseError for a word
// it cannot read or a second time of day.
func ParseSchedule(words []string) (Schedule, error) {
	var s Schedule
	for _, w := range words {
		w = strings.ToLower(strings.Trim(w, ",. "))
		if w == "" || w == "at" || w == "on" || w == "every" {
			continue
		}
		if m, ok := ParseClock(w); ok {
			if s.HasTime {
				return Schedule{}, &ParseError{Kind: TwoTimes}
			}
			s.Minute, s.HasTime = m, true
			continue
		}
		d, err := ParseDays(w)
		if err != nil {
			return Schedule{}, err
		}
		s.Days |= d
		s.HasDays = true
	}
	return s, nil
}

// ParseDays reads one word of days: "mon", "mon,thu", "mon-fri",
// "weekdays". It returns a *ParseError naming the part it cannot read.
func ParseDays(word string) (Days, error) {
	var out Days
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
				return 0, &ParseError{Kind: UnknownWord, Word: part}
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
			return 0, &ParseError{Kind: UnknownWord, Word: part}
		}
		out |= 1 << d
	}
	return out, nil
}

// Day reads a day's name or abbreviation ("thu", "thursday", "th"),
// lower-case.
func Day(word string) (time.Weekday, bool) {
	d, ok := dayNames[word]
	return d, ok
}

var dayNames = map[string]time.Weekday{
	"mon": time.Monday, "monday": time.Monday, "mo": time.Monday,
	"tue": time.Tuesday, "tues": time.Tuesday, "tuesday": time.Tuesday, "tu": time.Tuesday,
	"wed": time.Wednesday, "wednesday": time.Wednesday, "we": time.Wednesday,
	"thu": time.Thursday, "thur": time.Thursday, "thurs": time.Thursday, "thursday": time.Thursday, "th": time.Thursday,
	"fri": time.Friday, "friday": time.Friday, "fr": time.Friday,
	"sat": time.Saturday, "saturday": time.Saturday, "sa": time.Saturday,
	"sun": time.Sunday, "sunday": time.Sunday, "su": time.Sunday,
}

var daySets = map[string]Days{
	"weekdays": Workweek, "workdays": Workweek, "daily": EveryDay, "everyday": EveryDay,
	"weekends": Weekend, "weekend": Weekend,
}

// ParseClock reads a time of day: "8:45", "08:45", "16:00", "9am", "4pm",
// "4:30pm", "9", "9h". It returns minutes after midnight.
func ParseClock(s string) (int, bool) {
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

// Clock formats minutes after midnight as 09:30.
func Clock(minute int) string { return fmt.Sprintf("%02d:%02d", minute/60, minute%60) }
