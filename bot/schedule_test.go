package bot

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseSchedule(t *testing.T) {
	tests := []struct {
		in       string
		days     weekdays
		minute   int
		haveDays bool
		haveTime bool
	}{
		{"mon,thu 08:45", 1<<time.Monday | 1<<time.Thursday, 8*60 + 45, true, true},
		{"tue 16:00", 1 << time.Tuesday, 16 * 60, true, true},
		{"Mon Wed Fri 9am", defaultDays, 9 * 60, true, true},
		{"weekdays 4:30pm", workweek, 16*60 + 30, true, true},
		{"mon-fri at 7", workweek, 7 * 60, true, true},
		{"fri-mon 12pm", 1<<time.Friday | 1<<time.Saturday | 1<<time.Sunday | 1<<time.Monday, 12 * 60, true, true},
		{"12am daily", everyDay, 0, true, true},
		{"8:45", 0, 8*60 + 45, false, true},
		{"thursday", 1 << time.Thursday, 0, true, false},
		{"", 0, 0, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			days, minute, hd, ht, err := parseSchedule(strings.Fields(tt.in))
			if err != nil {
				t.Fatalf("error %v", err)
			}
			if days != tt.days || minute != tt.minute || hd != tt.haveDays || ht != tt.haveTime {
				t.Errorf("got days %07b minute %d (%v, %v), want %07b %d (%v, %v)",
					days, minute, hd, ht, tt.days, tt.minute, tt.haveDays, tt.haveTime)
			}
		})
	}
}

func TestParseScheduleErrors(t *testing.T) {
	for _, in := range []string{"someday 9:00", "mon 25:00", "mon 9:60", "mon 13pm", "mon 9:00 10:00", "mon-xyz", "0930", "<!channel>"} {
		t.Run(in, func(t *testing.T) {
			_, _, _, _, err := parseSchedule(strings.Fields(in))
			var se scheduleError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want a scheduleError", err)
			}
			if !strings.Contains(se.msg, "/lead-tip schedule mon,thu 08:45") {
				t.Errorf("message %q has no example", se.msg)
			}
		})
	}
}

func TestWeekdaysString(t *testing.T) {
	tests := map[weekdays]string{
		defaultDays:                       "Monday, Wednesday and Friday",
		workweek:                          "every weekday",
		everyDay:                          "every day",
		1 << time.Tuesday:                 "Tuesday",
		1<<time.Sunday | 1<<time.Monday:   "Monday and Sunday",
		1<<time.Saturday | 1<<time.Sunday: "weekends",
	}
	for w, want := range tests {
		if got := w.String(); got != want {
			t.Errorf("%07b.String() = %q, want %q", w, got, want)
		}
	}
}

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// A 09:30 nudge stays at 09:30 local time across daylight-saving changes,
// in both directions and on both sides of the Atlantic.
func TestNextSlotAcrossDST(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	ny := mustLoad(t, "America/New_York")
	tests := []struct {
		name  string
		loc   *time.Location
		days  weekdays
		after time.Time
		want  time.Time
	}{
		{"Berlin autumn", berlin, defaultDays, time.Date(2026, 10, 23, 9, 30, 0, 0, berlin), time.Date(2026, 10, 26, 9, 30, 0, 0, berlin)},
		{"Berlin spring", berlin, defaultDays, time.Date(2026, 3, 27, 10, 0, 0, 0, berlin), time.Date(2026, 3, 30, 9, 30, 0, 0, berlin)},
		{"New York autumn", ny, defaultDays, time.Date(2026, 10, 30, 12, 0, 0, 0, ny), time.Date(2026, 11, 2, 9, 30, 0, 0, ny)},
		{"New York spring", ny, everyDay, time.Date(2027, 3, 13, 9, 30, 0, 0, ny), time.Date(2027, 3, 14, 9, 30, 0, 0, ny)},
		{"same day later", berlin, defaultDays, time.Date(2026, 11, 23, 8, 0, 0, 0, berlin), time.Date(2026, 11, 23, 9, 30, 0, 0, berlin)},
		{"exactly at the slot", berlin, defaultDays, time.Date(2026, 11, 23, 9, 30, 0, 0, berlin), time.Date(2026, 11, 25, 9, 30, 0, 0, berlin)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := nextSlot(tt.days, defaultMinute, tt.loc, tt.after)
			if !got.Equal(tt.want) {
				t.Errorf("nextSlot = %v, want %v", got.In(tt.loc), tt.want)
			}
			if l := got.In(tt.loc); l.Hour() != 9 || l.Minute() != 30 {
				t.Errorf("slot at %s local, want 09:30", l.Format("15:04"))
			}
		})
	}
	// The UTC instants differ by the offset change: the local time is kept.
	a := nextSlot(defaultDays, defaultMinute, berlin, time.Date(2026, 10, 21, 12, 0, 0, 0, berlin))
	b := nextSlot(defaultDays, defaultMinute, berlin, time.Date(2026, 10, 23, 12, 0, 0, 0, berlin))
	if a.UTC().Hour() != 7 || b.UTC().Hour() != 8 {
		t.Errorf("UTC hours %d and %d, want 7 (CEST) then 8 (CET)", a.UTC().Hour(), b.UTC().Hour())
	}
	if !nextSlot(0, defaultMinute, berlin, a).IsZero() {
		t.Error("no days should give no slot")
	}
}

func TestAddWorkingDays(t *testing.T) {
	loc := mustLoad(t, "Europe/Berlin")
	tests := []struct {
		from time.Time
		want time.Time
	}{
		{time.Date(2026, 11, 20, 9, 30, 0, 0, loc), time.Date(2026, 11, 24, 9, 30, 0, 0, loc)}, // Fri → Tue
		{time.Date(2026, 11, 23, 9, 30, 0, 0, loc), time.Date(2026, 11, 25, 9, 30, 0, 0, loc)}, // Mon → Wed
		{time.Date(2026, 11, 21, 15, 0, 0, 0, loc), time.Date(2026, 11, 24, 15, 0, 0, 0, loc)}, // Sat → Tue
		{time.Date(2026, 10, 23, 9, 30, 0, 0, loc), time.Date(2026, 10, 27, 9, 30, 0, 0, loc)}, // across DST
	}
	for _, tt := range tests {
		if got := addWorkingDays(tt.from, 2, loc); !got.Equal(tt.want) {
			t.Errorf("addWorkingDays(%v, 2) = %v, want %v", tt.from, got, tt.want)
		}
	}
}
