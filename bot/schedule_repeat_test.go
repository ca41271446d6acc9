package bot

import (
	"testing"
	"time"
)

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
