package bot

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/leadcoach/leadbot/bot/calendar"
	"github.com/leadcoach/leadbot/bot/slackfake"
	"github.com/leadcoach/leadbot/storage"
)

// weeklyCmd sends "/lead-tip weekly args" as user in channel and returns
// the visible text of the (ephemeral) answer.
func (tb *testBot) weeklyCmd(t *testing.T, user, channel, args string) string {
	t.Helper()
	ctx := testCtx(t)
	url := tb.fake.NewResponseURL()
	text := strings.TrimSpace("weekly " + args)
	id, err := tb.fake.SendSlashCommand(ctx, slack.SlashCommand{UserID: user, ChannelID: channel, Text: text, ResponseURL: url})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tb.fake.WaitAck(ctx, id); err != nil {
		t.Fatalf("no ack: %v\n%s", err, tb.logs)
	}
	resp, err := tb.fake.WaitResponsePost(ctx, func(p slackfake.ResponsePost) bool { return strings.HasSuffix(url, p.Path) })
	if err != nil {
		t.Fatalf("no reply: %v\n%s", err, tb.logs)
	}
	return visible(resp)
}

func wantContains(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, got)
		}
	}
}

// teamPrompts returns the weekly prompts posted in channel.
func teamPrompts(fake *slackfake.Server, channel string) []slackfake.Message {
	var out []slackfake.Message
	for _, m := range fake.Messages(channel) {
		if m.ThreadTS == "" && strings.HasPrefix(m.Text, "Question of the week") {
			out = append(out, m)
		}
	}
	return out
}

// teamReplies returns the replies to post postID written by users, oldest
// first, as the export reads them.
func teamReplies(t *testing.T, db *storage.DB, postID int64, users ...string) []storage.TeamReply {
	t.Helper()
	var out []storage.TeamReply
	for _, u := range users {
		data, err := db.UserData(testCtx(t), u)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range data.TeamReplies {
			if r.PostID == postID {
				out = append(out, r)
			}
		}
	}
	slices.SortFunc(out, func(a, b storage.TeamReply) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// teamPost returns the post p as stored now (the zero post if it failed).
func teamPost(ctx context.Context, db *storage.DB, p storage.TeamPost) storage.TeamPost {
	ps, _ := db.TeamPosts(ctx, p.ChannelID)
	for _, q := range ps {
		if q.ID == p.ID {
			return q
		}
	}
	return storage.TeamPost{}
}

// channelEvent is a message.channels event as Slack sends it.
func channelEvent(user, channel, ts, threadTS, text string) map[string]any {
	return messageEvent("channel", user, channel, ts, threadTS, text)
}

// teamEnv is a workspace with a team channel C0TEAM: Ana (Berlin) sets up
// the prompt, Ben (New York) and Cat are members, Dee is a workspace admin,
// Eve is not in the channel.
func teamEnv(t *testing.T, clock *testClock) *testEnv {
	t.Helper()
	env := newEnv(t, clock)
	for _, u := range []slackfake.User{
		{ID: "U0ANA", Name: "ana", TZ: "Europe/Berlin"},
		{ID: "U0BEN", Name: "ben", TZ: "America/New_York"},
		{ID: "U0CAT", Name: "cat", TZ: "Europe/Berlin"},
		{ID: "U0DEE", Name: "dee", TZ: "Europe/Berlin", IsAdmin: true},
		{ID: "U0EVE", Name: "eve", TZ: "Europe/Berlin"},
		{ID: "U0LEO", Name: "leo", TZ: "Europe/Berlin"},
	} {
		env.fake.AddUser(u)
	}
	env.fake.AddChannel(slackfake.Channel{ID: "C0TEAM", Name: "team", Members: []string{"U0ANA", "U0BEN", "U0CAT", "U0DEE"}, BotIsMember: true})
	return env
}

func teamChannelOf(t *testing.T, db *storage.DB, channel string) storage.TeamChannel {
	t.Helper()
	c, err := db.TeamChannel(context.Background(), channel)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestE2ETeamPrompt: set up in a channel, "weekly now" posts, thread
// replies are recorded (a redelivery once, an edit and a delete followed),
// the next week's post counts last week's answers, and only the people
// allowed to can change or turn it off.
func TestE2ETeamPrompt(t *testing.T) {
	clock := newClock(monday8) // Monday 23 November 2026, 08:00 in Berlin
	env := teamEnv(t, clock)
	tb := env.start(t, Config{Admins: []string{"U0LEO"}})
	ctx := context.Background()

	// Corrections and where it works.
	wantContains(t, "weekly in a DM", tb.weeklyCmd(t, "U0ANA", "DU0ANA", "fri 15:00"), "works in channels")
	wantContains(t, "weekly before set-up", tb.weeklyCmd(t, "U0ANA", "C0TEAM", ""), "no weekly prompt in this channel")
	wantContains(t, "weekly without a time", tb.weeklyCmd(t, "U0ANA", "C0TEAM", "fri"), "one day and a time", weeklySample)
	wantContains(t, "weekly on two days", tb.weeklyCmd(t, "U0ANA", "C0TEAM", "mon,fri 15:00"), "pick one day", weeklySample)
	wantContains(t, "weekly with a word it cannot read", tb.weeklyCmd(t, "U0ANA", "C0TEAM", "<!channel> 15:00"), "could not read", weeklySample)
	wantContains(t, "weekly by someone not in the channel", tb.weeklyCmd(t, "U0EVE", "C0TEAM", "fri 15:00"), "Only people in this channel can set up")
	if _, err := tb.db.TeamChannel(ctx, "C0TEAM"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("something was stored by refused commands: %v", err)
	}

	// Ana turns it on: her timezone, the next post time.
	wantContains(t, "set-up reply", tb.weeklyCmd(t, "U0ANA", "C0TEAM", "fri 15:00"),
		"Weekly prompt on.", "every Friday at 15:00 (Europe/Berlin)", "Friday 27 November at 15:00 (Europe/Berlin)")
	wantContains(t, "weekly", tb.weeklyCmd(t, "U0BEN", "C0TEAM", ""), "every Friday at 15:00 (Europe/Berlin)", "<@U0ANA>")
	wantContains(t, "weekly status", tb.weeklyCmd(t, "U0BEN", "C0TEAM", "status"), "every Friday at 15:00 (Europe/Berlin)")

	// "weekly now" posts this week's prompt, once: the calendar week's, so
	// the next one is next week's Friday.
	wantContains(t, "weekly now", tb.weeklyCmd(t, "U0ANA", "C0TEAM", "now"), "Posted this week's prompt", "Friday 4 December at 15:00")
	wantContains(t, "weekly now again", tb.weeklyCmd(t, "U0ANA", "C0TEAM", "now"), "went out", "will not post another")
	posted := teamPrompts(env.fake, "C0TEAM")
	if len(posted) != 1 {
		t.Fatalf("%d prompts in the channel, want 1", len(posted))
	}
	first := posted[0]
	firstText := slackfake.VisibleText(first.Text, first.Blocks)
	wantContains(t, "the prompt", firstText, "Question of the week for the team", "Reply in this thread")
	if strings.Contains(firstText, "Last week") {
		t.Errorf("the first prompt has a line about last week:\n%s", firstText)
	}
	post, err := tb.db.TeamPostByMessage(ctx, "C0TEAM", first.TS)
	if err != nil {
		t.Fatal(err)
	}

	// Thread replies from Ben and Cat, Ben twice; Slack redelivers one.
	sendEvent(t, env.fake, channelEvent("U0BEN", "C0TEAM", "1800000100.000100", first.TS, "Cat's <!channel> review & the on-call"), "EvTEAM1")
	sendEvent(t, env.fake, channelEvent("U0CAT", "C0TEAM", "1800000100.000200", first.TS, "Ben, for the release"), "EvTEAM2")
	sendEvent(t, env.fake, channelEvent("U0BEN", "C0TEAM", "1800000100.000300", first.TS, "and Dee"), "EvTEAM3")
	sendEvent(t, env.fake, channelEvent("U0BEN", "C0TEAM", "1800000100.000100", first.TS, "Cat's <!channel> review & the on-call"), "EvTEAM1")
	// Ignored: a message outside the thread, the bot's own, another bot's.
	sendEvent(t, env.fake, channelEvent("U0CAT", "C0TEAM", "1800000100.000400", "", "lunch?"), "EvTEAM4")
	sendEvent(t, env.fake, channelEvent("U0BOT", "C0TEAM", "1800000100.000500", first.TS, "me"), "EvTEAM5")
	botMsg := channelEvent("", "C0TEAM", "1800000100.000600", first.TS, "beep")
	botMsg["subtype"], botMsg["bot_id"] = "bot_message", "B0OTHER"
	sendEvent(t, env.fake, botMsg, "EvTEAM6")
	// Everyone who wrote in the channel, the bots too.
	writers := []string{"U0BEN", "U0CAT", "U0BOT", ""}
	rs := teamReplies(t, tb.db, post.ID, writers...)
	if len(rs) != 3 {
		t.Fatalf("%d replies stored, want 3: %+v", len(rs), rs)
	}
	if rs[0].UserID != "U0BEN" || rs[0].Text != "Cat's <!channel> review & the on-call" {
		t.Errorf("first reply = %+v", rs[0])
	}

	// Cat edits hers; Ben deletes his second.
	sendEvent(t, env.fake, map[string]any{"type": "message", "subtype": "message_changed", "channel": "C0TEAM", "channel_type": "channel",
		"ts": "1800000100.000700", "message": map[string]any{"type": "message", "user": "U0CAT", "text": "Ben, for the calm release",
			"ts": "1800000100.000200", "thread_ts": first.TS}}, "EvTEAM7")
	sendEvent(t, env.fake, map[string]any{"type": "message", "subtype": "message_deleted", "channel": "C0TEAM", "channel_type": "channel",
		"ts": "1800000100.000800", "deleted_ts": "1800000100.000300", "previous_message": map[string]any{"type": "message", "user": "U0BEN",
			"text": "and Dee", "ts": "1800000100.000300", "thread_ts": first.TS}}, "EvTEAM8")
	rs = teamReplies(t, tb.db, post.ID, writers...)
	if len(rs) != 2 || rs[1].Text != "Ben, for the calm release" || rs[1].EditedAt.IsZero() {
		t.Errorf("after the edit and the delete: %+v", rs)
	}
	// No chatter: the bot never answers in the team's thread.
	if n := len(threadMessages(env.fake, "C0TEAM", first.TS)); n != 0 {
		t.Errorf("the bot wrote %d messages in the team thread", n)
	}

	// Permissions: Ben may not turn it off; the refusal names who can.
	wantContains(t, "Ben's weekly off", tb.weeklyCmd(t, "U0BEN", "C0TEAM", "off"), "Only <@U0ANA>", "workspace admin or owner")
	wantContains(t, "Ben's weekly change", tb.weeklyCmd(t, "U0BEN", "C0TEAM", "mon 09:00"), "Only <@U0ANA>")
	wantContains(t, "Ben's weekly now", tb.weeklyCmd(t, "U0BEN", "C0TEAM", "now"), "Only <@U0ANA>")
	if c := teamChannelOf(t, tb.db, "C0TEAM"); c.Status != storage.ChannelActive || c.OwnerID != "U0ANA" || c.Weekday != time.Friday {
		t.Errorf("a refused change changed the setting: %+v", c)
	}
	if !strings.Contains(tb.logs.String(), "weekly change refused") || !strings.Contains(tb.logs.String(), "user=U0BEN") {
		t.Error("the refused attempts were not logged")
	}

	// Next week: the scheduled post opens with last week's count.
	clock.Set(time.Date(2026, 12, 4, 15, 0, 5, 0, berlin))
	waitFor(t, "Friday's prompt", func() bool { return len(teamPrompts(env.fake, "C0TEAM")) == 2 })
	second := teamPrompts(env.fake, "C0TEAM")[1]
	secondText := slackfake.VisibleText(second.Text, second.Blocks)
	wantContains(t, "next week's prompt", secondText, "Last week 2 of you answered: thank you!")
	if second.Text == first.Text {
		t.Error("the same prompt twice in a row")
	}
	for _, name := range []string{"ben", "cat", "dee", "U0BEN", "U0CAT", "U0DEE"} {
		if strings.Contains(secondText, name) {
			t.Errorf("the count line names someone (%s):\n%s", name, secondText)
		}
	}

	// A Lead Coach admin (LEADBOT_ADMINS) may change it; a workspace admin
	// (users.info is_admin) may turn it off.
	wantContains(t, "Leo's change", tb.weeklyCmd(t, "U0LEO", "C0TEAM", "thu 10:00"), "Weekly prompt updated.", "every Thursday at 10:00 (Europe/Berlin)")
	wantContains(t, "Dee's weekly off", tb.weeklyCmd(t, "U0DEE", "C0TEAM", "off"), "turned off")
	if c := teamChannelOf(t, tb.db, "C0TEAM"); c.Status != storage.ChannelOff {
		t.Errorf("after off: %+v", c)
	}
	wantContains(t, "weekly after off", tb.weeklyCmd(t, "U0ANA", "C0TEAM", ""), "no weekly prompt in this channel")
	// Off: a member may turn it on again.
	wantContains(t, "Cat turns it on", tb.weeklyCmd(t, "U0CAT", "C0TEAM", "wed 11:00"), "Weekly prompt on.")

	// Cat asks to be forgotten: the prompt stays the team's, and any member
	// (not an outsider) may change it now.
	if _, err := tb.db.Forget(ctx, "U0CAT"); err != nil {
		t.Fatal(err)
	}
	wantContains(t, "Eve's change", tb.weeklyCmd(t, "U0EVE", "C0TEAM", "tue 10:00"), "Only people in this channel")
	wantContains(t, "Ben's change", tb.weeklyCmd(t, "U0BEN", "C0TEAM", "tue 10:00"), "Weekly prompt updated.", "(America/New_York)")
}

// Where the bot is not a member, the answer explains how to invite it and
// nothing is stored.
func TestE2ETeamPromptBotNotInChannel(t *testing.T) {
	env := teamEnv(t, newClock(monday8))
	env.fake.AddChannel(slackfake.Channel{ID: "C0PUB", Members: []string{"U0ANA"}})
	env.fake.AddChannel(slackfake.Channel{ID: "C0OLD", Members: []string{"U0ANA"}, BotIsMember: true, IsArchived: true})
	tb := env.start(t, Config{})
	tests := []struct {
		channel string
		want    string
	}{
		{"C0PUB", "/invite @Lead Coach"},    // public, bot not a member
		{"G0SECRET", "/invite @Lead Coach"}, // private, invisible to the bot: channel_not_found
		{"C0OLD", "archived"},
	}
	for _, tt := range tests {
		t.Run(tt.channel, func(t *testing.T) {
			wantContains(t, "weekly", tb.weeklyCmd(t, "U0ANA", tt.channel, "fri 15:00"), tt.want)
			if _, err := tb.db.TeamChannel(context.Background(), tt.channel); !errors.Is(err, storage.ErrNotFound) {
				t.Errorf("stored half-way: %v", err)
			}
		})
	}
}

// When the bot is removed or the channel archived, the schedule pauses and
// the person who set it gets exactly one DM, even with two processes and
// weeks going by; setting it again un-pauses.
func TestE2ETeamPromptPausesWhenBotCannotPost(t *testing.T) {
	tests := []struct {
		name   string
		change slackfake.Channel
		want   string
		how    string // how to start it again
	}{
		{"bot removed", slackfake.Channel{ID: "C0TEAM", Members: []string{"U0ANA", "U0BEN"}}, "I was removed from the channel", "/invite @Lead Coach"},
		{"archived", slackfake.Channel{ID: "C0TEAM", Members: []string{"U0ANA", "U0BEN"}, BotIsMember: true, IsArchived: true}, "archived", "unarchive the channel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newClock(monday8)
			env := teamEnv(t, clock)
			tb := env.start(t, Config{})
			env.start(t, Config{}) // a second process on the same database
			tb.weeklyCmd(t, "U0ANA", "C0TEAM", "fri 15:00")
			env.fake.UpdateChannel(tt.change)

			clock.Set(time.Date(2026, 11, 27, 15, 0, 5, 0, berlin))
			waitFor(t, "the DM to Ana", func() bool { return len(env.fake.Messages("DU0ANA")) > 0 })
			for range 3 { // more ticks, and more weeks
				settle(t, tb)
				clock.Add(7 * 24 * time.Hour)
			}
			dms := env.fake.Messages("DU0ANA")
			if len(dms) != 1 {
				t.Fatalf("%d DMs to the owner, want 1", len(dms))
			}
			wantContains(t, "the DM", slackfake.VisibleText(dms[0].Text, dms[0].Blocks), tt.want, "<#C0TEAM>", tt.how, "/lead-tip weekly fri 15:00", "will not try again")
			attempts := 0
			for _, c := range env.fake.Calls("chat.postMessage") {
				if c.Params["channel"] == "C0TEAM" {
					attempts++
				}
			}
			if attempts != 1 {
				t.Errorf("%d posting attempts in the channel, want 1 (no retry storm)", attempts)
			}
			if c := teamChannelOf(t, tb.db, "C0TEAM"); c.Status != storage.ChannelPaused {
				t.Errorf("status %q, want paused", c.Status)
			}
			wantContains(t, "weekly while paused", tb.weeklyCmd(t, "U0ANA", "C0TEAM", ""), "paused")

			// Back in the channel, setting it again un-pauses it.
			env.fake.UpdateChannel(slackfake.Channel{ID: "C0TEAM", Members: []string{"U0ANA", "U0BEN"}, BotIsMember: true})
			wantContains(t, "weekly again", tb.weeklyCmd(t, "U0ANA", "C0TEAM", "fri 15:00"), "Weekly prompt back on.")
			if c := teamChannelOf(t, tb.db, "C0TEAM"); c.Status != storage.ChannelActive || c.PauseReason != "" {
				t.Errorf("after setting it again: %+v", c)
			}
		})
	}
}

// TestE2ETeamPromptScheduledOnce: the prompt goes out at the chosen local time
// of the person who set it, once, with two bot processes on one database.
func TestE2ETeamPromptScheduledOnce(t *testing.T) {
	clock := newClock(monday8)
	env := teamEnv(t, clock)
	env.fake.AddChannel(slackfake.Channel{ID: "C0NYC", Members: []string{"U0BEN"}, BotIsMember: true})
	tb := env.start(t, Config{})
	second := env.start(t, Config{})
	tb.weeklyCmd(t, "U0ANA", "C0TEAM", "fri 15:00")
	// Ben is in New York: 08:00 there is 14:00 in Berlin.
	wantContains(t, "Ben's set-up", second.weeklyCmd(t, "U0BEN", "C0NYC", "fri 8am"), "every Friday at 08:00 (America/New_York)")

	clock.Set(time.Date(2026, 11, 27, 13, 59, 0, 0, berlin))
	settle(t, tb, second)
	if n := len(teamPrompts(env.fake, "C0NYC")) + len(teamPrompts(env.fake, "C0TEAM")); n != 0 {
		t.Fatalf("%d prompts before their time", n)
	}
	clock.Set(time.Date(2026, 11, 27, 14, 0, 10, 0, berlin))
	waitFor(t, "the New York prompt", func() bool { return len(teamPrompts(env.fake, "C0NYC")) > 0 })
	settle(t, tb, second)
	if n := len(teamPrompts(env.fake, "C0TEAM")); n != 0 {
		t.Fatalf("the Berlin prompt came at 14:00")
	}
	clock.Set(time.Date(2026, 11, 27, 15, 0, 10, 0, berlin))
	waitFor(t, "the Berlin prompt", func() bool { return len(teamPrompts(env.fake, "C0TEAM")) > 0 })
	settle(t, tb, second) // several passes of both processes
	for _, ch := range []string{"C0NYC", "C0TEAM"} {
		if n := len(teamPrompts(env.fake, ch)); n != 1 {
			t.Errorf("%s: %d prompts for one week with two processes, want 1", ch, n)
		}
	}
	if c := teamChannelOf(t, second.db, "C0TEAM"); !c.NextAt.Equal(time.Date(2026, 12, 4, 15, 0, 0, 0, berlin)) {
		t.Errorf("next slot %v, want Friday 4 December 15:00", c.NextAt.In(berlin))
	}
}

// TestE2ETeamPromptCatchup: after downtime, a week missed by less than the
// catch-up window is posted late, once; an older one is skipped and logged.
func TestE2ETeamPromptCatchup(t *testing.T) {
	clock := newClock(monday8)
	env := teamEnv(t, clock)
	env.fake.AddChannel(slackfake.Channel{ID: "C0LATE", Members: []string{"U0ANA"}, BotIsMember: true})
	tb := env.start(t, Config{})
	tb.weeklyCmd(t, "U0ANA", "C0TEAM", "fri 15:00")
	tb.weeklyCmd(t, "U0ANA", "C0LATE", "fri 12:00")
	if err := tb.stop(); err != nil {
		t.Fatal(err)
	}

	clock.Set(time.Date(2026, 11, 27, 16, 15, 0, 0, berlin)) // C0TEAM 75 min late, C0LATE 4h15 late
	tb2 := env.start(t, Config{})
	waitFor(t, "the late prompt", func() bool { return len(teamPrompts(env.fake, "C0TEAM")) == 1 })
	settle(t, tb2)
	if n := len(teamPrompts(env.fake, "C0TEAM")); n != 1 {
		t.Errorf("C0TEAM got %d prompts, want 1", n)
	}
	if n := len(teamPrompts(env.fake, "C0LATE")); n != 0 {
		t.Errorf("C0LATE got %d prompts for a week missed by more than 2 h, want 0", n)
	}
	if c := teamChannelOf(t, tb2.db, "C0LATE"); !c.NextAt.Equal(time.Date(2026, 12, 4, 12, 0, 0, 0, berlin)) {
		t.Errorf("C0LATE's next slot %v, want next Friday", c.NextAt.In(berlin))
	}
	if !strings.Contains(tb2.logs.String(), "weekly prompt missed by more than the catch-up window; skipped") {
		t.Error("the skipped week was not logged")
	}
	// "weekly now" makes up for the missed week, once.
	wantContains(t, "weekly now", tb2.weeklyCmd(t, "U0ANA", "C0LATE", "now"), "Posted this week's prompt")
	wantContains(t, "weekly now again", tb2.weeklyCmd(t, "U0ANA", "C0LATE", "now"), "will not post another")
	if n := len(teamPrompts(env.fake, "C0LATE")); n != 1 {
		t.Errorf("C0LATE got %d prompts after weekly now, want 1", n)
	}
}

// TestE2ETeamPromptRecoversInterruptedPost: a post claimed but never recorded
// (the process died in between) is recorded if it is in the channel
// already, and posted otherwise: once either way.
func TestE2ETeamPromptRecoversInterruptedPost(t *testing.T) {
	clock := newClock(time.Date(2026, 11, 27, 15, 0, 0, 0, berlin))
	env := teamEnv(t, clock)
	env.fake.AddChannel(slackfake.Channel{ID: "C0LOST", Members: []string{"U0ANA"}, BotIsMember: true})
	ctx := context.Background()
	db, err := storage.Open(ctx, env.dbPath, storage.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	slot := clock.Now()
	var claimed []storage.TeamPost
	for _, ch := range []string{"C0TEAM", "C0LOST"} {
		if ok, err := db.ReplaceTeamChannel(ctx, storage.TeamChannel{ChannelID: ch, OwnerID: "U0ANA", TZ: "Europe/Berlin",
			Weekday: time.Friday, Minute: 15 * 60, Status: storage.ChannelActive, NextAt: slot}, storage.TeamChannel{}, false); err != nil || !ok {
			t.Fatalf("save %s: %v, %v", ch, ok, err)
		}
		p, ok, err := db.ClaimTeamSlot(ctx, storage.TeamPost{ChannelID: ch, PromptID: "teammate-win", Slot: slot,
			Week: calendar.WeekKey(slot, "Europe/Berlin")}, slot, slot.AddDate(0, 0, 7))
		if err != nil || !ok {
			t.Fatalf("claim: %v, %v", ok, err)
		}
		claimed = append(claimed, p)
	}
	// The first reached Slack before the "crash".
	api := slack.New("xoxb-test", slack.OptionAPIURL(env.fake.APIURL()))
	_, postedTS, err := api.PostMessage("C0TEAM", slack.MsgOptionText("Question of the week: who deserves a shout-out?", false),
		slack.MsgOptionMetadata(teamMarker.metadata(claimed[0].ID)))
	if err != nil {
		t.Fatal(err)
	}

	clock.Add(5 * time.Minute)
	tb := env.start(t, Config{})
	waitFor(t, "both recorded as sent", func() bool {
		a, b := teamPost(ctx, tb.db, claimed[0]), teamPost(ctx, tb.db, claimed[1])
		return a.State == storage.StateSent && b.State == storage.StateSent
	})
	settle(t, tb)
	for _, ch := range []string{"C0TEAM", "C0LOST"} {
		if n := len(teamPrompts(env.fake, ch)); n != 1 {
			t.Errorf("%s: %d prompts, want 1", ch, n)
		}
	}
	if got := teamPost(ctx, tb.db, claimed[0]); got.TS != postedTS {
		t.Errorf("recovered post ts %q, want %q", got.TS, postedTS)
	}
}
