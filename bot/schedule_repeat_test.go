package bot

import (
	"testing"
	"time"
)

// On the night the clocks go back, a time in the repeated hour is a slot
// once, the first time round: cron alone fires it twice, an hour apart.
func TestNextSlotRepeatedHourOnce(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	ny := mustLoad(t, "America/New_York")
	tests := []struct {
		name   string
		loc    *time.Location
		days   weekdays
		minute int
		from   time.Time
		want   []time.Time // the next slots, in order
	}{
		{"Berlin daily 02:30", berlin, everyDay, 2*60 + 30, time.Date(2026, 10, 24, 12, 0, 0, 0, berlin), []time.Time{
			time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC), // 02:30 CEST
			time.Date(2026, 10, 26, 1, 30, 0, 0, time.UTC), // 02:30 CET the next day
		}},
		{"Berlin Sundays 02:30", berlin, 1 << time.Sunday, 2*60 + 30, time.Date(2026, 10, 20, 0, 0, 0, 0, berlin), []time.Time{
			time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC),
			time.Date(2026, 11, 1, 1, 30, 0, 0, time.UTC),
		}},
		{"New York daily 01:30", ny, everyDay, 90, time.Date(2026, 10, 31, 12, 0, 0, 0, ny), []time.Time{
			time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC), // 01:30 EDT
			time.Date(2026, 11, 2, 6, 30, 0, 0, time.UTC), // 01:30 EST the next day
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at := tt.from
			for i, want := range tt.want {
				at = nextSlot(tt.days, tt.minute, tt.loc, at)
				if !at.Equal(want) {
					t.Fatalf("slot %d = %v (%v), want %v", i+1, at.In(tt.loc), at.UTC(), want)
				}
			}
		})
	}
}

// The weekly prompt set for a time the autumn change repeats goes out once
// that day, and latest agrees.
func TestWeeklyRepeatedHourOnce(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	w := weeklySchedule{time.Sunday, 2*60 + 30, berlin}
	first := time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC) // 02:30 CEST
	if got := w.next(time.Date(2026, 10, 20, 0, 0, 0, 0, berlin)); !got.Equal(first) {
		t.Fatalf("next = %v, want %v", got.In(berlin), first.In(berlin))
	}
	want := time.Date(2026, 11, 1, 1, 30, 0, 0, time.UTC)
	if got := w.next(first); !got.Equal(want) {
		t.Errorf("next after the first time round = %v, want next Sunday %v", got.In(berlin), want.In(berlin))
	}
	if got := w.latest(time.Date(2026, 10, 25, 4, 0, 0, 0, berlin)); !got.Equal(first) {
		t.Errorf("latest = %v, want %v", got.In(berlin), first.In(berlin))
	}
}
