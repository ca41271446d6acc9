package bot

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestE2EWeeklyStatusCounts: "/lead-tip weekly" in a channel says how many
// people answered this week's prompt so far and last week's, counted once
// each and never named, and offers "weekly now" only while this week has
// no prompt yet.
func TestE2EWeeklyStatusCounts(t *testing.T) {
	clock := newClock(monday8) // Monday 23 November 2026, 08:00 in Berlin
	env := teamEnv(t, clock)
	tb := env.start(t, Config{})
	status := func(what string) string {
		t.Helper()
		got := tb.weeklyCmd(t, "U0BEN", "C0TEAM", "")
		for _, name := range []string{"<@U0BEN>", "<@U0CAT>"} {
			if strings.Contains(got, name) {
				t.Errorf("%s names someone who answered (%s):\n%s", what, name, got)
			}
		}
		return got
	}
	noNowOffer := func(what, got string) {
		t.Helper()
		if strings.Contains(got, "weekly now") {
			t.Errorf("%s offers `weekly now` though this week's prompt went out:\n%s", what, got)
		}
	}

	wantContains(t, "set-up", tb.weeklyCmd(t, "U0ANA", "C0TEAM", "fri 15:00"), "Weekly prompt on.", "`/lead-tip weekly now` posts this week's")
	got := status("status before any prompt")
	wantContains(t, "status before any prompt", got, "Next one: *Friday 27 November at 15:00 (Europe/Berlin)*", "`/lead-tip weekly now` posts this week's right away")
	if strings.Contains(got, "This week's") || strings.Contains(got, "Last week's") {
		t.Errorf("status before any prompt speaks of one:\n%s", got)
	}

	wantContains(t, "weekly now", tb.weeklyCmd(t, "U0ANA", "C0TEAM", "now"), "Posted this week's prompt")
	first := teamPrompts(env.fake, "C0TEAM")[0]
	got = status("status right after the post")
	wantContains(t, "status right after the post", got, "This week's went out Monday 23 November at 08:00 (Europe/Berlin): nobody has answered yet.")
	noNowOffer("status right after the post", got)

	// Two people answer in the thread.
	clock.Set(time.Date(2026, 11, 24, 10, 0, 0, 0, berlin))
	sendEvent(t, env.fake, channelEvent("U0BEN", "C0TEAM", "1800000200.000100", first.TS, "Cat, for the release"), "EvCOUNT1")
	sendEvent(t, env.fake, channelEvent("U0CAT", "C0TEAM", "1800000200.000200", first.TS, "Ben, for the on-call"), "EvCOUNT2")
	got = status("status after two answers")
	wantContains(t, "status after two answers", got, "so far 2 people answered.", "Next one: *Friday 4 December at 15:00 (Europe/Berlin)*.")
	noNowOffer("status after two answers", got)
	// A second message from Ben is still two people.
	sendEvent(t, env.fake, channelEvent("U0BEN", "C0TEAM", "1800000200.000300", first.TS, "and Dee"), "EvCOUNT3")
	wantContains(t, "status after a second answer by Ben", status("status after a second answer by Ben"), "so far 2 people answered.")
	// Changing the schedule does not offer a second prompt this week.
	noNowOffer("the schedule change", tb.weeklyCmd(t, "U0ANA", "C0TEAM", "thu 15:00"))

	// Next Monday: last week's count, and this week's may be posted now.
	clock.Set(time.Date(2026, 11, 30, 9, 0, 0, 0, berlin))
	got = status("status next Monday")
	wantContains(t, "status next Monday", got, "Last week's: 2 people answered.", "`/lead-tip weekly now` posts this week's right away")
	if strings.Contains(got, "This week's went out") {
		t.Errorf("status next Monday says this week's went out:\n%s", got)
	}

	// Thursday's scheduled prompt: nobody yet this week, two last week.
	clock.Set(time.Date(2026, 12, 3, 15, 0, 5, 0, berlin))
	waitFor(t, "Thursday's prompt", func() bool { return len(teamPrompts(env.fake, "C0TEAM")) == 2 })
	// Posted, then recorded as sent: until then the status says it is
	// being posted.
	waitFor(t, "Thursday's prompt recorded as sent", func() bool {
		_, err := tb.db.TeamPostByMessage(context.Background(), "C0TEAM", teamPrompts(env.fake, "C0TEAM")[1].TS)
		return err == nil
	})
	got = status("status after Thursday's prompt")
	wantContains(t, "status after Thursday's prompt", got,
		"This week's went out Thursday 3 December at 15:00 (Europe/Berlin): nobody has answered yet.", "Last week's: 2 people answered.")
	noNowOffer("status after Thursday's prompt", got)
}
