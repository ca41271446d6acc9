package bot

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/leadcoach/leadbot/storage"
)

// Wording helpers shared by every feature: how the bot says numbers,
// times, days and outcomes. Escaping user text is in escape.go.

// kindTitle names a kind of challenge: "ask-feedback" → "Asking for
// feedback"; a kind without a name in kindTitles → its id in words.
func kindTitle(kind string) string {
	if t, ok := kindTitles[kind]; ok {
		return t
	}
	s := strings.ReplaceAll(kind, "-", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// kindTitles name the library's kinds of challenge as practices.
var kindTitles = map[string]string{
	"delegate": "Delegating", "ask-feedback": "Asking for feedback", "hard-conversation": "Hard conversations",
	"growth-one-on-one": "Growth 1:1s", "recognise": "Recognising good work", "explain-why": "Explaining the why",
	"step-back": "Stepping back", "plan-time": "Planning your time", "mentor": "Mentoring",
	"listen": "Listening", "translate": "Translating for the business", "give-feedback": "Giving feedback",
	"decide": "Deciding", "plan-project": "Planning projects", "mindset": "Mindset",
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// counted is n followed by the noun's singular or plural: "1 nudge",
// "2 replies", "0 replies".
func counted(n int, one, many string) string {
	return strconv.Itoa(n) + " " + plural(n, one, many)
}

// clip shortens s to at most n runes, with an ellipsis if cut.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// formatWhen says when t is, in loc, the way people say it: "Monday 23
// November at 09:30 (Europe/Berlin)".
func formatWhen(t time.Time, loc *time.Location) string {
	l := t.In(loc)
	return fmt.Sprintf("%s %d %s at %s (%s)", l.Weekday(), l.Day(), l.Month(), l.Format("15:04"), loc.String())
}

func outcomeWords(d storage.Delivery) string {
	switch {
	case d.State == storage.StateFailed:
		return "could not be delivered"
	case d.State == storage.StateClaimed:
		return "on its way"
	case d.Outcome == storage.OutcomeDone:
		return ":white_check_mark: done"
	case d.Outcome == storage.OutcomeNotYet:
		return ":hourglass_flowing_sand: not yet"
	case d.Outcome == storage.OutcomeSkipped:
		return ":fast_forward: skipped"
	case d.Outcome == storage.OutcomeReplied:
		return ":speech_balloon: replied"
	default:
		return "no answer yet"
	}
}

// dayWord is the short day name the weekly command reads: "fri".
func dayWord(d time.Weekday) string { return strings.ToLower(d.String()[:3]) }

// channelMention returns Slack's channel link for an id, or "the channel"
// if id does not look like one, so that no crafted id can become markup.
func channelMention(id string) string {
	if !channelIDPattern.MatchString(id) {
		return "the channel"
	}
	return "<#" + id + ">"
}

var channelIDPattern = regexp.MustCompile(`^[CG][A-Z0-9]{2,20}$`)
