package bot

import (
	"testing"
	"time"

	"github.com/leadcoach/leadbot/bot/slackfake"
	"github.com/leadcoach/leadbot/storage"
)

// TestE2EDigestsDoNotHoldNudges: 200 weekly digests fall due at Friday
// 16:00, and take a couple of seconds to go out under the bot's send rate.
// Nudges due at 16:01, while the digests are still going out, are posted
// before the digests are all out: they do not wait for the fan-out
// (the two scheduler loops). Had the digests been sent by the nudges'
// loop, the nudges would come after the last digest.
func TestE2EDigestsDoNotHoldNudges(t *testing.T) {
	t.Parallel()
	const digestUsers, nudgeUsers = 200, 5
	friday := time.Date(2026, 11, 27, 16, 0, 0, 0, berlin)
	clock := newClock(friday.Add(-time.Minute))
	env := newRigEnv(t, slackfake.Options{}, clock)
	digesting, nudged := userIDs(0, digestUsers), userIDs(digestUsers, nudgeUsers)
	seedSubscribers(t, env.dbPath, digesting, friday, storage.Subscription{Days: 1 << time.Monday, Minute: 9 * 60,
		Status: storage.StatusActive, NextAt: friday.AddDate(0, 0, 3), DigestOn: true, DigestNextAt: friday})
	seedSubscribers(t, env.dbPath, nudged, friday, storage.Subscription{Days: 1 << time.Friday, Minute: 16*60 + 1,
		Status: storage.StatusActive, NextAt: friday.Add(time.Minute)})
	// 100 sends a second: the digests take two seconds.
	tb := env.startRig(t, Config{SendRate: 100}, rigOptions{})
	posted := func(is func(slackfake.Message) bool) int {
		n := 0
		for _, m := range env.fake.Messages("") {
			if is(m) {
				n++
			}
		}
		return n
	}

	clock.Set(friday.Add(time.Second))
	tb.poke()
	waitFor(t, "the digests to start", func() bool { return posted(isDigest) >= 10 })
	clock.Set(friday.Add(time.Minute + time.Second))
	tb.poke()
	waitFor(t, "the nudges", func() bool { return posted(isNudge) == nudgeUsers })
	waitFor(t, "every digest", func() bool { return posted(isDigest) == digestUsers })
	settle(t, tb)

	// The posts in the order Slack got them: how many digests came after
	// the last nudge?
	posts, lastNudge, digestsAfter := 0, 0, 0
	for _, m := range env.fake.Messages("") {
		switch {
		case isNudge(m):
			lastNudge, digestsAfter = posts, 0
		case isDigest(m):
			digestsAfter++
		default:
			continue
		}
		posts++
	}
	t.Logf("%d posts; the last nudge was number %d, with %d digests after it", posts, lastNudge+1, digestsAfter)
	if posts != digestUsers+nudgeUsers {
		t.Errorf("%d nudges and digests posted, want %d", posts, digestUsers+nudgeUsers)
	}
	if digestsAfter == 0 {
		t.Errorf("no digest was posted after the last nudge: the nudges waited for the digest fan-out")
	}
	for _, u := range nudged {
		if n := len(nudgeMessages(env.fake, u)); n != 1 {
			t.Errorf("%s got %d nudges, want 1", u, n)
		}
	}
}
