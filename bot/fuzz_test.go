package bot

import (
	"errors"
	"math/big"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/leadcoach/leadbot/bot/calendar"
)

// Fuzz tests for everything that reads what a user typed. Their seed
// corpora are in testdata/fuzz/<FuzzName>/, and go test ./... runs them as
// ordinary tests; go test -fuzz=FuzzParseCommand ./bot/ explores further.

// FuzzParseCommand: parseCommand never panics, returns a known verb or a
// query (never both), words without spaces, and is stable: parsing what it
// returns gives the same command again. Verbs that take nothing have no
// arguments (anything after them makes a question), digest takes only on
// or off, and a question's meant verb is the verb it starts with.
func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{"", "help", "HELP me", "delegation", "  my team\tmisses\u00a0deadlines ",
		"???", "start mon,thu 08:45", "pause until 2027-01-10", "\xff\xfe", "<!channel> hi", "now\u200b", "\u202eevil",
		"stop micromanaging", "schedule a 1:1 with my report", "schedule mon 25:00", "pause 3x", "digest on", "weekly now please"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		c := parseCommand(text)
		if c.verb != "" && !verbs[c.verb] {
			t.Fatalf("unknown verb %q", c.verb)
		}
		if c.verb != "" && c.query != "" {
			t.Fatalf("both a verb %q and a query %q", c.verb, c.query)
		}
		if c.unclear && (c.verb != verbHelp || len(c.args) != 0) {
			t.Fatalf("unclear command %+v is not plain help", c)
		}
		switch c.verb {
		case verbHelp, verbTopics, verbResume, verbStop, verbNudge, verbHistory, verbExport, verbForget:
			if len(c.args) != 0 {
				t.Fatalf("%s takes nothing, got %q", c.verb, c.args)
			}
		case verbDigest:
			if len(c.args) > 1 || (len(c.args) == 1 && !strings.EqualFold(c.args[0], "on") && !strings.EqualFold(c.args[0], "off")) {
				t.Fatalf("digest takes on or off, got %q", c.args)
			}
		}
		if c.meant != "" {
			if c.query == "" || !verbs[c.meant] {
				t.Fatalf("meant %q without a question: %+v", c.meant, c)
			}
			first, _, _ := strings.Cut(strings.ToLower(c.query), " ")
			if first != c.meant && verbAliases[first] != c.meant {
				t.Fatalf("question %q does not start with %q", c.query, c.meant)
			}
		}
		for _, a := range c.args {
			if a == "" || strings.ContainsFunc(a, unicode.IsSpace) {
				t.Fatalf("argument %q is empty or has spaces", a)
			}
		}
		if c.query != "" {
			if c.query != strings.TrimSpace(c.query) || strings.Contains(c.query, "  ") ||
				strings.ContainsFunc(c.query, func(r rune) bool { return r != ' ' && unicode.IsSpace(r) }) {
				t.Fatalf("query %q is not normalised", c.query)
			}
			if !strings.ContainsFunc(c.query, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
				t.Fatalf("query %q has nothing to search for", c.query)
			}
			if !utf8.ValidString(c.query) {
				t.Fatalf("query %q is not valid UTF-8", c.query)
			}
		}
		if blank := strings.TrimFunc(text, unicode.IsSpace) == ""; blank != (c.verb == "" && c.query == "") {
			t.Fatalf("parseCommand(%q) = %+v", text, c)
		}
		// Round trip.
		again := parseCommand(strings.Join(append([]string{c.verb}, c.args...), " ") + c.query)
		if again.verb != c.verb || again.query != c.query || again.meant != c.meant || !slices.Equal(again.args, c.args) {
			t.Fatalf("not stable: %+v, then %+v", c, again)
		}
	})
}

// FuzzParseSchedule: whatever the words, parseSchedule returns a friendly
// scheduleError or days within the week and a time within the day, and
// what it read can be written back and read again to the same schedule.
func FuzzParseSchedule(f *testing.F) {
	for _, s := range []string{"mon,thu 08:45", "tue 16:00", "weekdays 4:30pm", "mon-fri 9am", "fri", "8:45",
		"sat-mon 12am", "every day at 9", "mon 9 10", "funday", "-", "mon-", ",,", "12.30 su", "0am", "24:00", "9h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		days, minute, haveDays, haveTime, err := parseSchedule(strings.Fields(text))
		if err != nil {
			var se scheduleError
			if !errors.As(err, &se) || se.msg == "" || len(se.msg) > 400 {
				t.Fatalf("error %v is not a short scheduleError", err)
			}
			return
		}
		if minute < 0 || minute >= 24*60 || (!haveTime && minute != 0) {
			t.Fatalf("minute %d (haveTime %v)", minute, haveTime)
		}
		if days&^calendar.EveryDay != 0 || haveDays != (days != 0) {
			t.Fatalf("days %07b (haveDays %v)", days, haveDays)
		}
		if !haveDays || !haveTime {
			return
		}
		d2, m2, _, _, err := parseSchedule(strings.Fields(dayWords(days) + " " + calendar.Clock(minute)))
		if err != nil || d2 != days || m2 != minute {
			t.Fatalf("round trip of %s %s: %07b %d %v", dayWords(days), calendar.Clock(minute), d2, m2, err)
		}
	})
}

// dayWords writes a set of days the way a user would type it: "mon,thu".
func dayWords(w calendar.Days) string {
	var names []string
	for _, d := range w.MondayFirst() {
		names = append(names, strings.ToLower(d.String()[:3]))
	}
	return strings.Join(names, ",")
}

// FuzzParseClock: a time of day that is read is within the day, and its
// 24-hour form reads back to the same minute.
func FuzzParseClock(f *testing.F) {
	for _, s := range []string{"8:45", "08:45", "16:00", "9am", "4pm", "4:30pm", "9", "12am", "12pm", "0am",
		"13pm", "24:00", "23:59", "9h", "9.30", "1:5", "123", "", ":", "am", "-1", "٣:٠٠"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, ok := calendar.ParseClock(s)
		if !ok {
			return
		}
		if m < 0 || m >= 24*60 {
			t.Fatalf("ParseClock(%q) = %d", s, m)
		}
		if back, ok := calendar.ParseClock(calendar.Clock(m)); !ok || back != m {
			t.Fatalf("ParseClock(%q) = %d, but %s reads as %d, %v", s, m, calendar.Clock(m), back, ok)
		}
	})
}

// FuzzParsePause: a pause that is accepted ends after now and at most a
// year later; "N days" and "N weeks" mean exactly that, however large N is
// (an overflow must not turn a huge number into a short pause).
func FuzzParsePause(f *testing.F) {
	for _, s := range []string{"", "2w", "10d", "3 weeks", "1 day", "until 2027-01-10", "until 2026-11-22",
		"until 2030-01-01", "until tomorrow", "till friday", "until 10 january", "until 31 february", "0d", "-3d", "366d", "367d", "52w", "213504d", "30501w", "9223372036854775807d", "d", "until"} {
		f.Add(s)
	}
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		f.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, loc)
	count := regexp.MustCompile(`^(\d+)\s*(d|days?|w|wk|weeks?)$`)
	f.Fuzz(func(t *testing.T, text string) {
		args := strings.Fields(text)
		until, err := parsePause(args, now, loc)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if len(args) == 0 {
			if !until.IsZero() {
				t.Fatalf("pause with no words ends at %v", until)
			}
			return
		}
		if !until.After(now) || until.Sub(now) > maxPause {
			t.Fatalf("parsePause(%q) = %v: not within a year from now", text, until)
		}
		if m := count.FindStringSubmatch(strings.ToLower(strings.Join(args, ""))); m != nil {
			n, _ := new(big.Int).SetString(m[1], 10)
			unit := big.NewInt(int64(24 * time.Hour))
			if strings.HasPrefix(m[2], "w") {
				unit.Mul(unit, big.NewInt(7))
			}
			want := n.Mul(n, unit)
			if got := big.NewInt(int64(until.Sub(now))); got.Cmp(want) != 0 {
				t.Fatalf("parsePause(%q) pauses for %v, want %s ns", text, until.Sub(now), want)
			}
		}
	})
}

// TestDayWords keeps the fuzz helper honest.
func TestDayWords(t *testing.T) {
	if got := dayWords(defaultDays); got != "mon,wed,fri" {
		t.Errorf("dayWords = %q", got)
	}
}
