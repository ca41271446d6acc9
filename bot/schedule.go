package bot

import (
	"errors"
	"fmt"
	"time"

	"github.com/leadcoach/leadbot/bot/calendar"
)

// Nudges go out on these days at this time unless the user says otherwise.
const (
	defaultDays    = calendar.Days(1<<time.Monday | 1<<time.Wednesday | 1<<time.Friday)
	defaultMinute  = 9*60 + 30 // 09:30
	scheduleSample = "`/lead-tip schedule mon,thu 08:45`"
)

// scheduleError is a schedule the user typed that cannot be read. Its
// message is shown to them as is: friendly, with an example.
type scheduleError struct{ msg string }

func (e scheduleError) Error() string { return e.msg }

// parseSchedule reads the days and time of a command ("mon,thu 08:45",
// "weekdays 9am", "8:45", "fri"; see calendar.ParseSchedule), returning a
// scheduleError that says, with an example, what could not be read.
func parseSchedule(args []string) (days calendar.Days, minute int, haveDays, haveTime bool, err error) {
	s, err := calendar.ParseSchedule(args)
	var pe *calendar.ParseError
	switch {
	case err == nil:
		return s.Days, s.Minute, s.HasDays, s.HasTime, nil
	case errors.As(err, &pe) && pe.Kind == calendar.TwoTimes:
		return 0, 0, false, false, scheduleError{"Please give one time of day, for example " + scheduleSample + "."}
	case errors.As(err, &pe):
		return 0, 0, false, false, scheduleError{fmt.Sprintf("I could not read %q as a day or a time. Use day names like mon, tue, wed and a time like 08:45 or 4pm, for example %s.",
			escape(clip(pe.Word, 20)), scheduleSample)}
	}
	return 0, 0, false, false, err
}
