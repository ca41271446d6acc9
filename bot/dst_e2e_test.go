package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/leadcoach/leadbot/bot/slackfake"
)

// TestE2ENudgeInSpringForwardGap: a nudge set for Sunday 02:30 in Berlin
// on the night the clocks skip from 02:00 to 03:00 (28 March 2027) comes
// at 03:00, the first minute that exists, once; the week after it is at
// 02:30 again. The rule is unit-tested in bot/calendar; this is the real
// bot, its scheduler and the fake Slack.
func TestE2ENudgeInSpringForwardGap(t *testing.T) {
	t.Parallel()
	clock := newClock(time.Date(2027, 3, 27, 12, 0, 0, 0, berlin)) // Saturday noon
	env := newEnv(t, clock)
	env.fake.AddUser(slackfake.User{ID: "U0ANA", TZ: "Europe/Berlin"})
	tb := env.start(t, Config{})
	if _, resp := tb.slash(t, "U0ANA", "start sun 02:30"); !strings.Contains(visible(resp), "Sunday 28 March at 03:00") {
		t.Errorf("start reply does not name 03:00 on the night of the change:\n%s", visible(resp))
	}

	clock.Set(time.Date(2027, 3, 28, 0, 59, 0, 0, time.UTC)) // 01:59 CET, a minute before the gap
	settle(t, tb)
	if n := len(nudgeMessages(env.fake, "U0ANA")); n != 0 {
		t.Fatalf("%d nudges before the first valid minute", n)
	}
	clock.Set(time.Date(2027, 3, 28, 1, 0, 5, 0, time.UTC)) // 03:00:05 CEST
	waitFor(t, "the nudge at 03:00", func() bool { return len(nudgeMessages(env.fake, "U0ANA")) > 0 })
	settle(t, tb)
	if n := len(nudgeMessages(env.fake, "U0ANA")); n != 1 {
		t.Errorf("%d nudges on the night of the change, want 1", n)
	}
	sub, err := tb.db.Subscription(context.Background(), "U0ANA")
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2027, 4, 4, 2, 30, 0, 0, berlin); !sub.NextAt.Equal(want) {
		t.Errorf("next slot %v, want Sunday 4 April 02:30 CEST", sub.NextAt.In(berlin))
	}
}
