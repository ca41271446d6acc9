package calendar

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var monWedFri = DaysOf(time.Monday, time.Wednesday, time.Friday)

const half9 = 9*60 + 30

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestParseSchedule(t *testing.T) {
	tests := []struct {
		in   string
		want Schedule
	}{
		{"mon,thu 08:45", Schedule{DaysOf(time.Monday, time.Thursday), 8*60 + 45, true, true}},
		{"tue 16:00", Schedule{DaysOf(time.Tuesday), 16 * 60, true, true}},
		{"Mon Wed Fri 9am", Schedule{monWedFri, 9 * 60, true, true}},
		{"weekdays 4:30pm", Schedule{Workweek, 16*60 + 30, true, true}},
		{"mon-fri at 7", Schedule{Workweek, 7 * 60, true, true}},
		{"fri-mon 12pm", Schedule{DaysOf(time.Friday, time.Saturday, time.Sunday, time.Monday), 12 * 60, true, true}},
		{"12am daily", Schedule{EveryDay, 0, true, true}},
		{"8:45", Schedule{0, 8*60 + 45, false, true}},
		{"thursday", Schedule{DaysOf(time.Thursday), 0, true, false}},
		{"", Schedule{}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSchedule(strings.Fields(tt.in))
			if err != nil || got != tt.want {
				t.Errorf("ParseSchedule = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestParseScheduleErrors(t *testing.T) {
	tests := []struct {
		in   string
		kind ErrorKind
		word string
	}{
		{"someday 9:00", UnknownWord, "someday"},
		{"mon 25:00", UnknownWord, "25:00"},
		{"mon 9:60", UnknownWord, "9:60"},
		{"mon 13pm", UnknownWord, "13pm"},
		{"mon-xyz", UnknownWord, "mon-xyz"},
		{"0930", UnknownWord, "0930"},
		{"mon 9:00 10:00", TwoTimes, ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := ParseSchedule(strings.Fields(tt.in))
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Kind != tt.kind || pe.Word != tt.word {
				t.Errorf("err = %#v, want kind %v word %q", err, tt.kind, tt.word)
			}
		})
	}
}

func TestDaysString(t *testing.T) {
	tests := map[Days]string{
		monWedFri:                        "Monday, Wednesday and Friday",
		Workweek:                         "every weekday",
		EveryDay:                         "every day",
		DaysOf(time.Tuesday):             "Tuesday",
		DaysOf(time.Sunday, time.Monday): "Monday and Sunday",
		Weekend:                          "weekends",
	}
	for w, want := range tests {
		if got := w.String(); got != want {
			t.Errorf("%07b.String() = %q, want %q", w, got, want)
		}
	}
	if got := DaysOf(time.Friday).Every(); got != "every Friday" {
		t.Errorf("Every = %q", got)
	}
	if d, ok := DaysOf(time.Friday).Only(); !ok || d != time.Friday {
		t.Errorf("Only = %v, %v", d, ok)
	}
	if _, ok := monWedFri.Only(); ok {
		t.Error("Only of three days: ok")
	}
}

func TestClock(t *testing.T) {
	for m := 0; m < 24*60; m += 7 {
		if back, ok := ParseClock(Clock(m)); !ok || back != m {
			t.Fatalf("ParseClock(Clock(%d)) = %d, %v", m, back, ok)
		}
	}
}

// A 09:30 nudge stays at 09:30 local time across daylight-saving changes,
// in both directions and on both sides of the Atlantic.
func TestNextSlotAcrossDST(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	ny := mustLoad(t, "America/New_York")
	tests := []struct {
		name  string
		loc   *time.Location
		days  Days
		after time.Time
		want  time.Time
	}{
		{"Berlin autumn", berlin, monWedFri, time.Date(2026, 10, 23, 9, 30, 0, 0, berlin), time.Date(2026, 10, 26, 9, 30, 0, 0, berlin)},
		{"Berlin spring", berlin, monWedFri, time.Date(2026, 3, 27, 10, 0, 0, 0, berlin), time.Date(2026, 3, 30, 9, 30, 0, 0, berlin)},
		{"New York autumn", ny, monWedFri, time.Date(2026, 10, 30, 12, 0, 0, 0, ny), time.Date(2026, 11, 2, 9, 30, 0, 0, ny)},
		{"New York spring", ny, EveryDay, time.Date(2027, 3, 13, 9, 30, 0, 0, ny), time.Date(2027, 3, 14, 9, 30, 0, 0, ny)},
		{"same day later", berlin, monWedFri, time.Date(2026, 11, 23, 8, 0, 0, 0, berlin), time.Date(2026, 11, 23, 9, 30, 0, 0, berlin)},
		{"exactly at the slot", berlin, monWedFri, time.Date(2026, 11, 23, 9, 30, 0, 0, berlin), time.Date(2026, 11, 25, 9, 30, 0, 0, berlin)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NextSlot(tt.days, half9, tt.loc, tt.after)
			if !got.Equal(tt.want) {
				t.Errorf("NextSlot = %v, want %v", got.In(tt.loc), tt.want)
			}
		})
	}
	if !NextSlot(0, half9, berlin, time.Now()).IsZero() {
		t.Error("no days should give no slot")
	}
}

// On the days the clocks change, a slot in the skipped hour fires at the
// first minute after it; one in the repeated hour fires once, the first
// time round; and a time that exists once next to a change fires then,
// never on the day before.
func TestNextSlotClockChanges(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	ny := mustLoad(t, "America/New_York")
	santiago := mustLoad(t, "America/Santiago")
	sunday := DaysOf(time.Sunday)
	tests := []struct {
		name   string
		loc    *time.Location
		days   Days
		minute int
		from   time.Time
		want   []time.Time // the next slots, in order (UTC)
	}{
		{"Berlin daily 02:30, spring: 03:00 CEST, the first minute after the gap", berlin, EveryDay, 2*60 + 30,
			time.Date(2027, 3, 27, 12, 0, 0, 0, berlin), []time.Time{
				time.Date(2027, 3, 28, 1, 0, 0, 0, time.UTC),  // 03:00 CEST
				time.Date(2027, 3, 29, 0, 30, 0, 0, time.UTC), // 02:30 CEST the next day
			}},
		{"Berlin daily 02:30, autumn: once, the first time round", berlin, EveryDay, 2*60 + 30,
			time.Date(2026, 10, 24, 12, 0, 0, 0, berlin), []time.Time{
				time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC), // 02:30 CEST
				time.Date(2026, 10, 26, 1, 30, 0, 0, time.UTC), // 02:30 CET the next day
			}},
		{"Berlin Sundays 02:30, autumn", berlin, sunday, 2*60 + 30, time.Date(2026, 10, 20, 0, 0, 0, 0, berlin), []time.Time{
			time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC),
			time.Date(2026, 11, 1, 1, 30, 0, 0, time.UTC),
		}},
		{"New York daily 01:30, autumn", ny, EveryDay, 90, time.Date(2026, 10, 31, 12, 0, 0, 0, ny), []time.Time{
			time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC), // 01:30 EDT
			time.Date(2026, 11, 2, 6, 30, 0, 0, time.UTC), // 01:30 EST the next day
		}},
		{"Santiago Sundays 00:00, autumn: Sunday, not Saturday 23:00", santiago, sunday, 0,
			time.Date(2027, 3, 30, 12, 0, 0, 0, santiago), []time.Time{
				time.Date(2027, 4, 4, 4, 0, 0, 0, time.UTC), // Sunday 00:00 -04
				time.Date(2027, 4, 11, 4, 0, 0, 0, time.UTC),
			}},
		{"Santiago Sundays 00:00, spring: 01:00, the first minute after the gap", santiago, sunday, 0,
			time.Date(2027, 9, 1, 12, 0, 0, 0, santiago), []time.Time{
				time.Date(2027, 9, 5, 4, 0, 0, 0, time.UTC),  // Sunday 01:00 -03
				time.Date(2027, 9, 12, 3, 0, 0, 0, time.UTC), // Sunday 00:00 -03
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at := tt.from
			for i, want := range tt.want {
				at = NextSlot(tt.days, tt.minute, tt.loc, at)
				if !at.Equal(want) {
					t.Fatalf("slot %d = %v (%v UTC), want %v (%v UTC)", i+1, at.In(tt.loc), at.UTC(), want.In(tt.loc), want)
				}
				if l := at.In(tt.loc); !tt.days.Has(l.Weekday()) {
					t.Errorf("slot %d is on a %s", i+1, l.Weekday())
				}
			}
		})
	}
}

func TestLatestAndDue(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	fri := DaysOf(time.Friday)
	slot := time.Date(2026, 11, 20, 15, 0, 0, 0, berlin)
	if got := Latest(fri, 15*60, berlin, slot.Add(2*24*time.Hour)); !got.Equal(slot) {
		t.Errorf("Latest = %v, want %v", got, slot)
	}
	if got := Latest(fri, 15*60, berlin, slot); !got.Equal(slot) {
		t.Errorf("Latest at the slot = %v, want it", got)
	}
	// After three weeks down, the due slot is the latest one.
	due := slot
	now := slot.Add(3*7*24*time.Hour + time.Hour)
	got, next := Due(fri, 15*60, berlin, due, now)
	if want := slot.AddDate(0, 0, 21); !got.Equal(want) || !next.Equal(want.AddDate(0, 0, 7)) {
		t.Errorf("Due = %v, %v", got, next)
	}
}

func TestAddWorkingDays(t *testing.T) {
	loc := mustLoad(t, "Europe/Berlin")
	tests := []struct{ from, want time.Time }{
		{time.Date(2026, 11, 20, 9, 30, 0, 0, loc), time.Date(2026, 11, 24, 9, 30, 0, 0, loc)}, // Fri → Tue
		{time.Date(2026, 11, 23, 9, 30, 0, 0, loc), time.Date(2026, 11, 25, 9, 30, 0, 0, loc)}, // Mon → Wed
		{time.Date(2026, 11, 21, 15, 0, 0, 0, loc), time.Date(2026, 11, 24, 15, 0, 0, 0, loc)}, // Sat → Tue
		{time.Date(2026, 10, 23, 9, 30, 0, 0, loc), time.Date(2026, 10, 27, 9, 30, 0, 0, loc)}, // across DST
	}
	for _, tt := range tests {
		if got := AddWorkingDays(tt.from, 2, loc); !got.Equal(tt.want) {
			t.Errorf("AddWorkingDays(%v, 2) = %v, want %v", tt.from, got, tt.want)
		}
	}
}

func TestWeeks(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	la := mustLoad(t, "America/Los_Angeles")
	// Friday 20 November 2026, 23:30 in Los Angeles, is already Saturday in
	// Berlin: the same week in both.
	at := time.Date(2026, 11, 20, 23, 30, 0, 0, la)
	if WeekOf(at, la) != 20261116 || WeekOf(at, berlin) != 20261116 {
		t.Errorf("WeekOf = %d and %d", WeekOf(at, la), WeekOf(at, berlin))
	}
	// Sunday 22:30 in LA is Monday in Berlin: another week there.
	sun := time.Date(2026, 11, 22, 22, 30, 0, 0, la)
	if WeekOf(sun, la) != 20261116 || WeekOf(sun, berlin) != 20261123 {
		t.Errorf("WeekOf(Sunday night) = %d and %d", WeekOf(sun, la), WeekOf(sun, berlin))
	}
	w := Week(20261228)
	if w.Next() != 20270104 || w.Next().Prev() != w || Week(20260302).Prev() != 20260223 ||
		!w.Start(berlin).Equal(time.Date(2026, 12, 28, 0, 0, 0, 0, berlin)) {
		t.Errorf("Next %d, Prev of Next %d, Start %v", w.Next(), w.Next().Prev(), w.Start(berlin))
	}
	fri := DaysOf(time.Friday)
	if got, want := FirstAfterWeek(fri, 15*60, berlin, time.Date(2026, 11, 18, 10, 0, 0, 0, berlin)),
		time.Date(2026, 11, 27, 15, 0, 0, 0, berlin); !got.Equal(want) {
		t.Errorf("FirstAfterWeek = %v, want %v", got, want)
	}
}
