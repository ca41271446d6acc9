package bot

import (
	"strings"
	"testing"
	"time"

	"github.com/leadcoach/leadbot/bot/slackfake"
)

// TestSchedulerWriteFailuresLogged: when the scheduler cannot write the
// claim that a step needs (the follow-up of a nudge, the takeover of an
// interrupted weekly prompt), it says so in the log instead of passing
// over it as if another process had it, sends nothing meanwhile, and does
// the step once writes work again.
func TestSchedulerWriteFailuresLogged(t *testing.T) {
	t.Parallel()
	t.Run("follow-up", func(t *testing.T) {
		t.Parallel()
		clock := newClock(time.Date(2026, 11, 20, 10, 0, 0, 0, berlin)) // a Friday
		env := newEnv(t, clock)
		env.fake.AddUser(slackfake.User{ID: "U0ANA", TZ: "Europe/Berlin"})
		tb := env.start(t, Config{})
		tb.slash(t, "U0ANA", "nudge")
		nudge := nudgeMessages(env.fake, "U0ANA")[0]

		restore := failWrites(t, env.dbPath, "deliveries")
		clock.Set(time.Date(2026, 11, 24, 10, 1, 0, 0, berlin)) // two working days later
		waitFor(t, "the failed claim logged", func() bool { return strings.Contains(tb.logs.String(), "could not claim a follow-up") })
		if n := len(threadMessages(env.fake, nudge.Channel, nudge.TS)); n != 0 {
			t.Errorf("%d follow-ups sent without a claim", n)
		}
		restore()
		waitFor(t, "the follow-up", func() bool { return len(threadMessages(env.fake, nudge.Channel, nudge.TS)) == 1 })
		settle(t, tb)
		if n := len(threadMessages(env.fake, nudge.Channel, nudge.TS)); n != 1 {
			t.Errorf("%d follow-ups, want 1", n)
		}
	})
	t.Run("weekly prompt recovery", func(t *testing.T) {
		t.Parallel()
		clock := newClock(monday8)
		env := teamEnv(t, clock)
		tb := env.start(t, Config{})
		tb.weeklyCmd(t, "U0ANA", "C0TEAM", "fri 15:00")
		env.fake.InjectFault("chat.postMessage", 1, slackfake.Fault{Status: 500})
		wantContains(t, "weekly now while Slack fails", tb.weeklyCmd(t, "U0ANA", "C0TEAM", "now"), msgWeeklyRetrying)

		restore := failWrites(t, env.dbPath, "team_posts")
		clock.Add(3 * time.Minute) // past staleClaimAfter: recovery takes the claim over
		waitFor(t, "the failed takeover logged", func() bool {
			return strings.Contains(tb.logs.String(), "could not take over an interrupted weekly prompt")
		})
		if n := len(teamPrompts(env.fake, "C0TEAM")); n != 0 {
			t.Errorf("%d prompts posted without a takeover", n)
		}
		restore()
		waitFor(t, "the prompt posted", func() bool { return len(teamPrompts(env.fake, "C0TEAM")) == 1 })
		settle(t, tb)
		if n := len(teamPrompts(env.fake, "C0TEAM")); n != 1 {
			t.Errorf("%d prompts, want 1", n)
		}
	})
}
