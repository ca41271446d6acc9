package bot

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/leadcoach/leadbot/bot/calendar"
	"github.com/leadcoach/leadbot/bot/slackfake"
	"github.com/leadcoach/leadbot/prompts"
	"github.com/leadcoach/leadbot/storage"
)

// Tests for the fixes from the UX review: commands that were questions,
// pause after stop, the time a "Not yet" comes back, forget, start and
// resume wording, stray DMs, and small wording.

// startAna starts a bot on Monday 23 November 2026 08:00 in Berlin with Ana
// (Europe/Berlin) known to the fake Slack.
func startAna(t *testing.T) (*testBot, *testClock) {
	t.Helper()
	clock := newClock(monday8)
	env := newEnv(t, clock)
	env.fake.AddUser(slackfake.User{ID: "U0ANA", Name: "ana", TZ: "Europe/Berlin"})
	return env.start(t, Config{}), clock
}

func subscription(t *testing.T, db *storage.DB, user string) storage.Subscription {
	t.Helper()
	s, err := db.Subscription(context.Background(), user)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func wantAll(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, got)
		}
	}
}

// A question that starts with a command word is answered as a question,
// with one line on how to run the command, and the command does not run.
func TestQuestionsStartingWithCommandWords(t *testing.T) {
	tb, _ := startAna(t)
	tb.slash(t, "U0ANA", "start")
	before := subscription(t, tb.db, "U0ANA")

	tests := []struct{ text, hint string }{
		{"stop micromanaging", "(If you meant the command, type just `/lead-tip stop`.)"},
		{"start delegating", "`/lead-tip start mon,thu 08:45`"},
		{"schedule a 1:1 with my report", "`/lead-tip schedule mon,thu 08:45`"},
		{"help my team keeps missing deadlines", "type just `/lead-tip help`"},
		{"pause before answering in meetings", "`/lead-tip pause 2w`"},
		{"nudge my team to speak up in meetings", "type just `/lead-tip nudge`"},
		{"forget about work at the weekend", "type just `/lead-tip forget`"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			_, resp := tb.slash(t, "U0ANA", tt.text)
			got := visible(resp)
			wantAll(t, "reply", got, tt.hint)
			if !strings.Contains(got, "Another tip") && !strings.Contains(got, msgNotSure) {
				t.Errorf("the question was not answered as a question (no tip, no closest topics):\n%s", got)
			}
			if strings.Contains(got, "Delete everything") || strings.Contains(got, "Stopped") || strings.Contains(got, "Paused") {
				t.Errorf("the command ran:\n%s", got)
			}
		})
	}
	after := subscription(t, tb.db, "U0ANA")
	if after.Status != storage.StatusActive || after.Days != before.Days || after.Minute != before.Minute || !after.NextAt.Equal(before.NextAt) {
		t.Errorf("subscription changed by questions: before %+v, after %+v", before, after)
	}
	if ds, _ := tb.db.Deliveries(context.Background(), "U0ANA", 10); len(ds) != 0 {
		t.Errorf("%d nudges sent by a question", len(ds))
	}

	// Arguments clearly meant for the command still get its correction.
	_, resp := tb.slash(t, "U0ANA", "schedule mon 25:00")
	wantAll(t, "schedule mon 25:00", visible(resp), "could not read", "`/lead-tip schedule mon,thu 08:45`")
	_, resp = tb.slash(t, "U0ANA", "pause 3x")
	wantAll(t, "pause 3x", visible(resp), "could not read how long to pause", "`/lead-tip pause 2w`")
	if s := subscription(t, tb.db, "U0ANA"); s.Status != storage.StatusActive {
		t.Errorf("status after a bad pause = %s", s.Status)
	}
}

// Pause after stop (or before ever starting) is refused, and the nudges
// stay off; pause while active says when the next nudge comes, and it
// does come then.
func TestPauseAfterStop(t *testing.T) {
	tb, clock := startAna(t)
	_, resp := tb.slash(t, "U0ANA", "pause 2w")
	wantAll(t, "pause before start", visible(resp), "nothing to pause", "`/lead-tip start`")

	tb.slash(t, "U0ANA", "start")
	tb.slash(t, "U0ANA", "stop")
	_, resp = tb.slash(t, "U0ANA", "pause 2w")
	wantAll(t, "pause after stop", visible(resp), "Your nudges are stopped, so there is nothing to pause. `/lead-tip start` turns them back on.")
	if s := subscription(t, tb.db, "U0ANA"); s.Status != storage.StatusStopped {
		t.Errorf("status after pause after stop = %s, want stopped", s.Status)
	}

	// Monday 23 November 08:00 + 2 weeks = Monday 7 December 08:00; the
	// first slot after it is that day at 09:30.
	tb.slash(t, "U0ANA", "start")
	_, resp = tb.slash(t, "U0ANA", "pause 2w")
	wantAll(t, "pause 2w", visible(resp),
		"Paused for 2 weeks. Your next nudge: *Monday 7 December at 09:30 (Europe/Berlin)*. Your history stays; `/lead-tip resume` starts sooner.")
	_, resp = tb.slash(t, "U0ANA", "pause 10d")
	wantAll(t, "pause 10d", visible(resp), "Paused for 10 days.", "Friday 4 December at 09:30 (Europe/Berlin)")
	_, resp = tb.slash(t, "U0ANA", "pause until 2026-12-12")
	wantAll(t, "pause until", visible(resp), "Paused until Saturday 12 December 2026.", "Monday 14 December at 09:30 (Europe/Berlin)")
	// Until a day said in words, in Ana's timezone: on Monday, "tomorrow"
	// is Tuesday, so Wednesday's nudge is the next; "friday" is this week's.
	_, resp = tb.slash(t, "U0ANA", "pause until tomorrow")
	wantAll(t, "pause until tomorrow", visible(resp), "Paused until Tuesday 24 November 2026.", "Wednesday 25 November at 09:30 (Europe/Berlin)")
	_, resp = tb.slash(t, "U0ANA", "pause till Friday")
	wantAll(t, "pause till Friday", visible(resp), "Paused until Friday 27 November 2026.", "Friday 27 November at 09:30 (Europe/Berlin)")
	_, resp = tb.slash(t, "U0ANA", "pause until 2027-02-31")
	wantAll(t, "pause until an impossible date", visible(resp), "I could not read that date", "`/lead-tip pause until friday`")
	_, resp = tb.slash(t, "U0ANA", "pause")
	wantAll(t, "pause", visible(resp), "Paused until you resume.")

	// Paused for 10 days again: the promised nudge is the first one sent.
	tb.slash(t, "U0ANA", "pause 10d")
	clock.Set(time.Date(2026, 12, 4, 9, 31, 0, 0, berlin))
	waitFor(t, "the first nudge after the pause", func() bool { return len(nudgeMessages(tb.fake, "U0ANA")) == 1 })
	ds, _ := tb.db.Deliveries(context.Background(), "U0ANA", 10)
	if len(ds) != 1 || !ds[0].Slot.Equal(time.Date(2026, 12, 4, 9, 30, 0, 0, berlin)) {
		t.Errorf("deliveries after the pause: %+v", ds)
	}
}

// start and resume say what happened: welcome back after stop or a pause,
// already subscribed, not paused, schedule updated.
func TestStartAndResumeWording(t *testing.T) {
	tb, _ := startAna(t)
	steps := []struct{ text, want string }{
		{"resume", "not subscribed"},
		{"start", "*You're in.* I'll send you one small, concrete challenge every Monday, Wednesday and Friday at 09:30 (Europe/Berlin)."},
		{"start", "You're already subscribed: every Monday, Wednesday and Friday at 09:30 (Europe/Berlin).\nNext one: *Monday 23 November at 09:30 (Europe/Berlin)*."},
		{"resume", "You were not paused: your nudges come every Monday, Wednesday and Friday at 09:30 (Europe/Berlin). Next one: *Monday 23 November at 09:30 (Europe/Berlin)*."},
		{"pause", "Paused until you resume."},
		{"start", "*Welcome back.* Your nudges come every Monday, Wednesday and Friday at 09:30 (Europe/Berlin).\nNext one: *Monday 23 November at 09:30"},
		{"pause 2w", "Paused for 2 weeks."},
		{"resume", "*Welcome back.* Your nudges come every Monday, Wednesday and Friday at 09:30 (Europe/Berlin). Next one: *Monday 23 November at 09:30"},
		{"stop", "Stopped"},
		{"start", "*Welcome back.*"},
		{"schedule fri 10:00", "*Schedule updated:* every Friday at 10:00 (Europe/Berlin)."},
		{"schedule weekends 10:00", "*Schedule updated:* every Saturday and Sunday at 10:00 (Europe/Berlin)."},
		{"schedule weekdays", "*Schedule updated:* every weekday at 10:00 (Europe/Berlin)."},
		{"start weekdays 10:00", "You're already subscribed: every weekday at 10:00"},
	}
	for _, s := range steps {
		_, resp := tb.slash(t, "U0ANA", s.text)
		if got := visible(resp); !strings.Contains(got, s.want) {
			t.Errorf("/lead-tip %s = %q, want it to contain %q", s.text, got, s.want)
		}
	}
}

func TestWeekdaysEvery(t *testing.T) {
	tests := map[calendar.Days]string{
		defaultDays:                       "every Monday, Wednesday and Friday",
		1 << time.Friday:                  "every Friday",
		1<<time.Saturday | 1<<time.Sunday: "every Saturday and Sunday",
		1<<time.Sunday | 1<<time.Monday:   "every Monday and Sunday",
		calendar.Workweek:                 "every weekday",
		calendar.EveryDay:                 "every day",
	}
	for w, want := range tests {
		if got := w.Every(); got != want {
			t.Errorf("%07b.Every() = %q, want %q", w, got, want)
		}
	}
}

// "Not yet" comes back two working days later at the usual nudge time, or
// three hours apart from the scheduled nudge on a nudge day.
func TestReaskTime(t *testing.T) {
	monWedFri := calendar.DaysOf(time.Monday, time.Wednesday, time.Friday)
	thursdays := calendar.DaysOf(time.Thursday)
	tests := []struct {
		name   string
		now    time.Time
		minute int
		days   calendar.Days
		want   time.Time
	}{
		{"Monday afternoon", time.Date(2026, 11, 23, 15, 10, 0, 0, berlin), 9*60 + 30, thursdays, time.Date(2026, 11, 25, 9, 30, 0, 0, berlin)},
		{"Friday", time.Date(2026, 11, 27, 16, 0, 0, 0, berlin), 8*60 + 15, thursdays, time.Date(2026, 12, 1, 8, 15, 0, 0, berlin)},
		{"Saturday", time.Date(2026, 11, 28, 10, 0, 0, 0, berlin), 9*60 + 30, thursdays, time.Date(2026, 12, 1, 9, 30, 0, 0, berlin)},
		{"late evening", time.Date(2026, 11, 23, 23, 30, 0, 0, berlin), 7 * 60, thursdays, time.Date(2026, 11, 25, 7, 0, 0, 0, berlin)},
		// Across the change to summer time, still 09:30 local.
		{"daylight saving", time.Date(2027, 3, 26, 12, 0, 0, 0, berlin), 9*60 + 30, thursdays, time.Date(2027, 3, 30, 9, 30, 0, 0, berlin)},
		{"on a nudge day", time.Date(2026, 11, 23, 15, 10, 0, 0, berlin), 9*60 + 30, monWedFri, time.Date(2026, 11, 25, 12, 30, 0, 0, berlin)},
		{"on a nudge day, late nudges", time.Date(2026, 11, 23, 22, 0, 0, 0, berlin), 22 * 60, monWedFri, time.Date(2026, 11, 25, 19, 0, 0, 0, berlin)},
		{"no schedule", time.Date(2026, 11, 23, 15, 10, 0, 0, berlin), 9*60 + 30, 0, time.Date(2026, 11, 25, 9, 30, 0, 0, berlin)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := reaskTime(tt.now, tt.minute, tt.days, berlin); !got.Equal(tt.want) {
				t.Errorf("reaskTime(%v, %s) = %v, want %v", tt.now, calendar.Clock(tt.minute), got, tt.want)
			}
		})
	}
}

// Ana nudges at 08:15 and presses "Not yet" at 11:00 on Monday: the nudge
// comes back on Wednesday at 08:15, and the message says so.
func TestNotYetComesBackAtUsualTime(t *testing.T) {
	tb, clock := startAna(t)
	tb.slash(t, "U0ANA", "start tue,thu 08:15")
	tb.slash(t, "U0ANA", "nudge")
	nudge := nudgeMessages(tb.fake, "U0ANA")[0]
	clock.Set(time.Date(2026, 11, 23, 11, 0, 0, 0, berlin))
	click(t, tb.fake, slackfake.Click{UserID: "U0ANA", ActionID: actionNudgeNotYet, Blocks: nudge.Blocks, ChannelID: nudge.Channel, MessageTS: nudge.TS})
	waitFor(t, "the Not yet update", func() bool {
		for _, m := range tb.fake.Messages(nudge.Channel) {
			if m.TS == nudge.TS && m.Edited {
				return true
			}
		}
		return false
	})
	for _, m := range tb.fake.Messages(nudge.Channel) {
		if m.TS == nudge.TS {
			wantAll(t, "updated nudge", slackfake.VisibleText(m.Text, m.Blocks), "I will ask again on Wednesday 25 November at 08:15 (Europe/Berlin)")
		}
	}
	ds, _ := tb.db.Deliveries(context.Background(), "U0ANA", 1)
	if want := time.Date(2026, 11, 25, 8, 15, 0, 0, berlin); !ds[0].ReaskAt.Equal(want) {
		t.Errorf("re-ask at %v, want %v", ds[0].ReaskAt, want)
	}
}

// forget says what goes and what stays, offers Cancel, and its summary
// names only what there was.
func TestForgetConfirmationAndCancel(t *testing.T) {
	tb, _ := startAna(t)
	tb.slash(t, "U0ANA", "start")
	_, resp := tb.slash(t, "U0ANA", "forget")
	wantAll(t, "forget", visible(resp), "replies to team questions", "Team channels you set up keep their weekly question, no longer linked to you",
		"Messages already in Slack stay", "`/lead-tip export` first")
	var labels []string
	for _, b := range slackfake.Buttons(resp.Blocks) {
		labels = append(labels, b.Text)
	}
	if strings.Join(labels, ",") != "Delete everything,Cancel" {
		t.Errorf("buttons = %v, want Delete everything, Cancel", labels)
	}

	click(t, tb.fake, slackfake.Click{UserID: "U0ANA", ActionID: actionForgetCancel, Blocks: resp.Blocks, ChannelID: "C0GENERAL", Ephemeral: true})
	p, err := tb.fake.WaitResponsePost(testCtx(t), func(p slackfake.ResponsePost) bool {
		return strings.Contains(slackfake.VisibleText(p.Text, p.Blocks), "Nothing deleted.")
	})
	if err != nil {
		t.Fatalf("no answer to Cancel: %v", err)
	}
	if !p.ReplaceOriginal {
		t.Error("Cancel did not replace the question")
	}
	if s := subscription(t, tb.db, "U0ANA"); s.Status != storage.StatusActive {
		t.Errorf("Cancel changed the subscription: %+v", s)
	}

	click(t, tb.fake, slackfake.Click{UserID: "U0ANA", ActionID: actionForgetConfirm, Blocks: resp.Blocks, ChannelID: "C0GENERAL", Ephemeral: true})
	p, err = tb.fake.WaitResponsePost(testCtx(t), func(p slackfake.ResponsePost) bool {
		return strings.HasPrefix(slackfake.VisibleText(p.Text, p.Blocks), "Done: I deleted")
	})
	if err != nil {
		t.Fatalf("no summary: %v", err)
	}
	wantAll(t, "summary", slackfake.VisibleText(p.Text, p.Blocks), "Done: I deleted your schedule and your profile. `/lead-tip start` any time to begin again.")
}

func TestForgottenWords(t *testing.T) {
	tests := []struct {
		name string
		f    storage.Forgotten
		want string
	}{
		{"everything", storage.Forgotten{Nudges: 3, Replies: 2, TipsSeen: 1, Milestones: 1, Subscription: true, Profile: true, User: true},
			"Done: I deleted 3 nudges, 2 replies, 1 tip seen, 1 summary of your first 90 days, your schedule, your answers about your situation and your profile."},
		{"team", storage.Forgotten{Nudges: 1, Replies: 1, TipsSeen: 4, Digests: 2, TeamReplies: 1, TeamChannels: 1, User: true},
			"Done: I deleted 1 nudge, 1 reply, 4 tips seen, 2 weekly summaries, 1 reply to a team question and your profile. " +
				"The team channel you set up keeps its weekly question, no longer linked to you."},
		{"two channels", storage.Forgotten{TeamReplies: 3, TeamChannels: 2},
			"Done: I deleted 3 replies to team questions. The 2 team channels you set up keep their weekly question, no longer linked to you."},
		{"nothing", storage.Forgotten{}, "There was nothing stored about you, so there was nothing to delete."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := forgottenWords(tt.f); got != tt.want+" `/lead-tip start` any time to begin again." {
				t.Errorf("forgottenWords = %q, want %q", got, tt.want)
			}
		})
	}
}

// A DM that answers no nudge is not stored: the user is told so kindly; a
// short one gets nothing more, a longer one a tip without "Share in
// channel" (there is no channel to share to).
func TestStrayDM(t *testing.T) {
	tb, _ := startAna(t)
	answers := func() []slackfake.Message {
		var out []slackfake.Message
		for _, m := range tb.fake.Messages("DU0ANA") {
			if strings.Contains(slackfake.VisibleText(m.Text, m.Blocks), "I only keep messages that answer a nudge") {
				out = append(out, m)
			}
		}
		return out
	}
	sendEvent(t, tb.fake, dmEvent("U0ANA", "DU0ANA", "1800000001.000100", "", "thanks!"), "EvSTRAY1")
	waitFor(t, "the answer to a short DM", func() bool { return len(answers()) == 1 })
	short := answers()[0]
	if got := slackfake.VisibleText(short.Text, short.Blocks); strings.TrimSpace(strings.ReplaceAll(got, msgStrayDM, "")) != "" {
		t.Errorf("answer to %q = %q, want only %q", "thanks!", got, msgStrayDM)
	}
	if len(slackfake.Buttons(short.Blocks)) != 0 {
		t.Error("the answer to a short DM has buttons")
	}

	sendEvent(t, tb.fake, dmEvent("U0ANA", "DU0ANA", "1800000002.000100", "", "how do I stop fixing my team's bugs myself"), "EvSTRAY2")
	waitFor(t, "the answer to a question by DM", func() bool { return len(answers()) == 2 })
	long := answers()[1]
	var labels []string
	for _, b := range slackfake.Buttons(long.Blocks) {
		labels = append(labels, b.Text)
	}
	if slices.Contains(labels, "Share in channel") || !slices.Contains(labels, "Another tip") || !slices.Contains(labels, "👍") {
		t.Errorf("buttons in a DM = %v, want Another tip and the votes, without Share in channel", labels)
	}
	if !strings.Contains(slackfake.VisibleText(long.Text, long.Blocks), "from") {
		t.Errorf("no tip in the answer:\n%s", slackfake.VisibleText(long.Text, long.Blocks))
	}
}

// The thank-you after a reply offers a tip on the nudge's own topic, even
// when the reply's words point elsewhere.
func TestThanksTipFromNudgeTopic(t *testing.T) {
	tb, _ := startAna(t)
	tb.slash(t, "U0ANA", "nudge")
	nudge := nudgeMessages(tb.fake, "U0ANA")[0]
	ds, _ := tb.db.Deliveries(context.Background(), "U0ANA", 1)
	n, _ := tb.lib.Nudge(ds[0].NudgeID)
	topic, _ := tb.lib.Topic(n.Topic)
	other := "budget"
	if n.Topic == "business" {
		other = "office politics and stakeholders"
	}
	sendEvent(t, tb.fake, dmEvent("U0ANA", nudge.Channel, "1800000003.000100", nudge.TS, "It made me think about the "+other), "EvTHANKS1")
	waitFor(t, "the thank-you", func() bool { return len(threadMessages(tb.fake, nudge.Channel, nudge.TS)) == 1 })
	thanks := threadMessages(tb.fake, nudge.Channel, nudge.TS)[0]
	wantAll(t, "thank-you", slackfake.VisibleText(thanks.Text, thanks.Blocks), topic.Title+" · from")
}

// Small wording: history in the singular, the nudge's notification text,
// topics with their summaries, the credit line of a shared tip.
func TestSmallWording(t *testing.T) {
	tb, _ := startAna(t)
	tb.slash(t, "U0ANA", "nudge")
	_, resp := tb.slash(t, "U0ANA", "history")
	wantAll(t, "history", visible(resp), "*Your last 1 nudge*")

	ds, _ := tb.db.Deliveries(context.Background(), "U0ANA", 1)
	n, _ := tb.lib.Nudge(ds[0].NudgeID)
	if m := nudgeMessages(tb.fake, "U0ANA")[0]; m.Text != "New challenge: "+n.Title {
		t.Errorf("notification text = %q", m.Text)
	}

	msg := topicsMessage(tb.lib)
	raw, _ := json.Marshal(msg.blocks)
	text := slackfake.VisibleText(msg.text, raw)
	for _, topic := range tb.lib.Topics {
		wantAll(t, "topics", text, "`"+topic.ID+"` *"+topic.Title+"*: "+topic.Summary)
	}
	for _, blk := range msg.blocks {
		if s, ok := blk.(*slack.SectionBlock); ok && len(s.Text.Text) > maxSectionText {
			t.Errorf("a topics section has %d characters, more than Slack takes", len(s.Text.Text))
		}
	}

	tip, _ := tb.lib.Tip("career-path-stay-technical")
	topic, _ := tb.lib.Topic(tip.Topic)
	shared := sharedTipMessage("U0MAYA", tip, topic)
	raw, _ = json.Marshal(shared.blocks)
	wantAll(t, "shared tip", string(raw), "Shared by \\u003c@U0MAYA\\u003e · Lead Coach tip on Career Path · based on _"+tip.Source.Title+"_")
}

// The tip of the day on the Home tab and a tip without words are never
// for people not yet managing.
func TestUnaskedTipsAreForManagers(t *testing.T) {
	tb, _ := startAna(t)
	for day := range 60 {
		a := tb.tipOfTheDay("U0ANA", monday8.AddDate(0, 0, day), berlin)
		if a.Tip.Audience != "" {
			t.Fatalf("tip of the day %s is for audience %q", a.Tip.ID, a.Tip.Audience)
		}
	}
	aspiring := map[string]bool{}
	for _, tip := range tb.lib.Tips {
		if tip.Audience == prompts.AudienceAspiring {
			aspiring[tip.Text] = true
		}
	}
	for range len(tb.lib.ManagerTips()) {
		_, resp := tb.slash(t, "U0ANA", "")
		for text := range aspiring {
			if strings.Contains(visible(resp), text) {
				t.Fatalf("/lead-tip without words gave a tip for aspiring managers: %s", text)
			}
		}
	}
}
