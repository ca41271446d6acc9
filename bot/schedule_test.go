package bot

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// A schedule that cannot be read gets a friendly message with an example;
// the reading itself is the calendar's (bot/calendar).
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
			if strings.Contains(se.msg, "<!channel>") {
				t.Errorf("message %q echoes markup", se.msg)
			}
		})
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
