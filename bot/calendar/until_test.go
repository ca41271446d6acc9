package calendar

import (
	"testing"
	"time"
)

func TestUntilDate(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	tokyo := mustLoad(t, "Asia/Tokyo")
	monday := time.Date(2026, 11, 23, 8, 0, 0, 0, berlin) // Monday 23 November 2026
	// Sunday 22 November 23:30 UTC is already Monday in Berlin and Tokyo.
	lateSunday := time.Date(2026, 11, 22, 23, 30, 0, 0, time.UTC)
	tests := []struct {
		text string
		now  time.Time
		loc  *time.Location
		want string // the local date the pause ends at, "" if not read
	}{
		{"tomorrow", monday, berlin, "2026-11-24"},
		{"Tomorrow", lateSunday, berlin, "2026-11-24"},
		{"tomorrow", lateSunday, tokyo, "2026-11-24"},
		{"tomorrow", lateSunday, time.UTC, "2026-11-23"},
		{"friday", monday, berlin, "2026-11-27"},
		{"fri", monday, berlin, "2026-11-27"},
		{"next friday", monday, berlin, "2026-11-27"},
		{"monday", monday, berlin, "2026-11-30"}, // today is Monday: the next one
		{"next week", monday, berlin, "2026-11-30"},
		{"2027-01-10", monday, berlin, "2027-01-10"},
		{"10 january", monday, berlin, "2027-01-10"},
		{"jan 10th, 2027", monday, berlin, "2027-01-10"},
		{"December 1st", monday, berlin, "2026-12-01"},
		{"1 sept", monday, berlin, "2027-09-01"},
		{"23 november", monday, berlin, "2027-11-23"}, // today's date: next year's
		{"29 february 2028", monday, berlin, "2028-02-29"},
		// Not read.
		{"", monday, berlin, ""},
		{"someday", monday, berlin, ""},
		{"i am back", monday, berlin, ""},
		{"10", monday, berlin, ""},
		{"friday 10", monday, berlin, ""},
		{"31 february", monday, berlin, ""},
		{"29 february 2027", monday, berlin, ""},
		{"january 2027", monday, berlin, ""},
		{"2027 january 10", monday, berlin, ""},
		{"2027-13-01", monday, berlin, ""},
		{"ja 10", monday, berlin, ""},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got, ok := UntilDate(tt.text, tt.now, tt.loc)
			if tt.want == "" {
				if ok {
					t.Errorf("UntilDate(%q) = %v, want not read", tt.text, got)
				}
				return
			}
			l := got.In(tt.loc)
			if !ok || l.Format("2006-01-02") != tt.want || l.Hour() != 0 || l.Minute() != 0 {
				t.Errorf("UntilDate(%q) = %v, %v; want the start of %s in %s", tt.text, l, ok, tt.want, tt.loc)
			}
		})
	}
}
