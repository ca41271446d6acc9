package bot

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/leadcoach/leadbot/bot/slackfake"
	"github.com/leadcoach/leadbot/storage"
)

// hookedAPI is the fake Slack's client with a hook run before
// conversations.info: between the weekly command reading the setting and
// saving it.
type hookedAPI struct {
	slackAPI
	beforeInfo func()
}

func (h *hookedAPI) GetConversationInfoContext(ctx context.Context, in *slack.GetConversationInfoInput) (*slack.Channel, error) {
	if h.beforeInfo != nil {
		h.beforeInfo()
	}
	return h.slackAPI.GetConversationInfoContext(ctx, in)
}

// weeklyRig is a bot on teamEnv's fake Slack and a real database that is
// not running: the test drives its commands and weekly passes itself, on
// the test clock, so nothing depends on timing.
type weeklyRig struct {
	b     *Bot
	api   *hookedAPI
	env   *testEnv
	db    *storage.DB
	clock *testClock
	log   *slog.Logger
}

func newWeeklyRig(t *testing.T, start time.Time) *weeklyRig {
	t.Helper()
	clock := newClock(start)
	env := teamEnv(t, clock)
	db, err := storage.Open(context.Background(), env.dbPath, storage.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	lib := testLibrary(t)
	client := slack.New("xoxb-test", slack.OptionAPIURL(env.fake.APIURL()))
	api := &hookedAPI{slackAPI: client}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	b, err := New(Config{Socket: socketmode.New(client), API: api, Store: db, Library: lib, Now: clock.Now,
		Logger: log, SendRate: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return &weeklyRig{b: b, api: api, env: env, db: db, clock: clock, log: log}
}

// cmd runs "/lead-tip weekly args" as user in C0TEAM and returns the answer.
func (r *weeklyRig) cmd(t *testing.T, user, args string) string {
	t.Helper()
	sc := slack.SlashCommand{UserID: user, TeamID: "T0LEAD", ChannelID: "C0TEAM"}
	return r.b.weekly(context.Background(), r.log, sc, parseCommand(strings.TrimSpace("weekly "+args))).text
}

// runUntil moves the clock on a quarter of an hour at a time up to end,
// with a weekly pass at each step, as the scheduler does each tick. The
// tests start on the hour and schedule on the hour, so every slot is met
// at its minute; a minute's steps over weeks made the test 70 s under
// -race.
func (r *weeklyRig) runUntil(end time.Time) {
	for now := r.clock.Now(); !now.After(end); now = now.Add(15 * time.Minute) {
		r.clock.Set(now)
		r.b.weeklyPass(context.Background(), r.log, now)
	}
}

// A channel gets one prompt per calendar week (Monday to Sunday in the
// schedule's timezone), whatever the schedule changes and "weekly now"
// commands: after Monday's post, moving the prompt to Friday and asking
// for one now posts nothing more that week, and the next one is the
// following Friday.
func TestWeeklyOnePromptPerCalendarWeek(t *testing.T) {
	r := newWeeklyRig(t, time.Date(2026, 11, 23, 8, 0, 0, 0, berlin)) // Monday
	wantContains(t, "set-up", r.cmd(t, "U0ANA", "mon 09:00"), "Weekly prompt on.")
	r.runUntil(time.Date(2026, 11, 23, 9, 59, 0, 0, berlin))
	if n := len(teamPrompts(r.env.fake, "C0TEAM")); n != 1 {
		t.Fatalf("%d prompts on Monday, want 1", n)
	}

	wantContains(t, "change to Friday", r.cmd(t, "U0ANA", "fri 15:00"), "Weekly prompt updated.",
		"Next one: *Friday 4 December at 15:00")
	wantContains(t, "weekly now", r.cmd(t, "U0ANA", "now"), "went out Monday 23 November at 09:00",
		"will not post another", "Friday 4 December at 15:00")
	r.runUntil(time.Date(2026, 11, 29, 23, 59, 0, 0, berlin)) // to the end of Sunday
	if n := len(teamPrompts(r.env.fake, "C0TEAM")); n != 1 {
		t.Errorf("%d prompts in the week of Monday 23 November, want 1", n)
	}
	if c := teamChannelOf(t, r.db, "C0TEAM"); !c.NextAt.Equal(time.Date(2026, 12, 4, 15, 0, 0, 0, berlin)) {
		t.Errorf("next slot %v, want Friday 4 December 15:00", c.NextAt.In(berlin))
	}

	// The next week: "weekly now" on its Monday is that week's prompt, and
	// the Friday slot of the same week does not post again.
	r.clock.Set(time.Date(2026, 11, 30, 8, 0, 0, 0, berlin))
	wantContains(t, "weekly now next week", r.cmd(t, "U0ANA", "now"), "Posted this week's prompt", "Friday 11 December at 15:00")
	r.runUntil(time.Date(2026, 12, 6, 23, 59, 0, 0, berlin))
	if n := len(teamPrompts(r.env.fake, "C0TEAM")); n != 2 {
		t.Errorf("%d prompts after two weeks, want 2", n)
	}
	r.runUntil(time.Date(2026, 12, 11, 15, 1, 0, 0, berlin))
	if n := len(teamPrompts(r.env.fake, "C0TEAM")); n != 3 {
		t.Errorf("%d prompts after the third week's Friday, want 3", n)
	}
}

// A "weekly now" post that Slack keeps refusing is retried only within the
// catch-up window from when it was asked for, then given up, although each
// retry renews its claim.
func TestWeeklyNowRetriesEndAfterCatchup(t *testing.T) {
	start := time.Date(2026, 11, 23, 8, 0, 0, 0, berlin)
	r := newWeeklyRig(t, start)
	r.cmd(t, "U0ANA", "fri 15:00")
	r.env.fake.InjectFault("chat.postMessage", 1000, slackfake.Fault{SlackError: "fatal_error"})
	wantContains(t, "weekly now", r.cmd(t, "U0ANA", "now"), "try again")

	ctx := context.Background()
	attempts := func() int { return len(r.env.fake.Calls("chat.postMessage")) }
	var last time.Time
	for now := start; now.Before(start.Add(10 * time.Hour)); now = now.Add(time.Minute) {
		r.clock.Set(now)
		before := attempts()
		r.b.recoverTeamPosts(ctx, r.log, now)
		if attempts() > before {
			last = now
		}
	}
	if limit := start.Add(DefaultCatchup + staleClaimAfter + time.Minute); last.IsZero() || last.After(limit) {
		t.Errorf("%d attempts, the last retry at %v; want some, none after %v", attempts(), last.In(berlin), limit.In(berlin))
	}
	ps, err := r.db.TeamPosts(ctx, "C0TEAM")
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 0 {
		t.Errorf("posts still in use after the window: %+v; want it marked failed", ps)
	}
}

// A member who found the prompt off does not overwrite a setting someone
// else turned on meanwhile: the save is conditional on what was read.
func TestWeeklySetRefusesChangeMadeMeanwhile(t *testing.T) {
	r := newWeeklyRig(t, time.Date(2026, 11, 23, 8, 0, 0, 0, berlin))
	r.cmd(t, "U0ANA", "fri 15:00")
	r.cmd(t, "U0ANA", "off")
	r.clock.Add(time.Minute)

	// Cat sees it off (any member may turn it on); while her command runs,
	// Ana turns it on again with her own time.
	r.api.beforeInfo = func() {
		r.api.beforeInfo = nil
		r.cmd(t, "U0ANA", "thu 10:00")
	}
	wantContains(t, "Cat's set-up", r.cmd(t, "U0CAT", "mon 09:00"), "changed this channel's weekly prompt just now")
	c := teamChannelOf(t, r.db, "C0TEAM")
	if c.OwnerID != "U0ANA" || c.Weekday != time.Thursday || c.Minute != 10*60 || c.Status != storage.ChannelActive {
		t.Errorf("setting after the race = %+v; want Ana's Thursday 10:00", c)
	}
}
