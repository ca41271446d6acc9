package bot

import (
	"strings"
	"testing"
	"time"

	"github.com/leadcoach/leadbot/bot/slackfake"
	"github.com/leadcoach/leadbot/prompts"
	"github.com/leadcoach/leadbot/storage"
)

// profileSubmission sends the profile modal's submission with values
// (block id → option value) and returns the ack's payload.
func profileSubmission(t *testing.T, fake *slackfake.Server, user string, values map[string]string) string {
	t.Helper()
	state := map[string]map[string]any{}
	for block, v := range values {
		opt := map[string]any{"value": v, "text": map[string]any{"type": "plain_text", "text": v}}
		state[block] = map[string]any{block: map[string]any{"type": "static_select", "selected_option": opt}}
	}
	return submitView(t, fake, user, callbackProfileModal, state)
}

// slotsFrom returns the Monday, Wednesday and Friday 09:30 Berlin slots
// from from on, n of them.
func slotsFrom(from time.Time, n int) []time.Time {
	var out []time.Time
	for d := from; len(out) < n; d = d.AddDate(0, 0, 1) {
		switch d.Weekday() {
		case time.Monday, time.Wednesday, time.Friday:
			if s := time.Date(d.Year(), d.Month(), d.Day(), 9, 30, 0, 0, berlin); !s.Before(from) {
				out = append(out, s)
			}
		}
	}
	return out
}

// dmMessages returns the top-level messages in user's DM whose text starts
// with prefix.
func dmMessages(fake *slackfake.Server, user, prefix string) []slackfake.Message {
	var out []slackfake.Message
	for _, m := range fake.Messages("D" + user) {
		if m.ThreadTS == "" && strings.HasPrefix(m.Text, prefix) {
			out = append(out, m)
		}
	}
	return out
}

// TestE2EProgramme: a manager who leads former peers and started three
// days ago says so in the profile form; their first month brings the
// nudges for that, resetting expectations among them; a reflection comes
// back four weeks later in their own (escaped) words, and the answer is
// linked to it; the day-90 summary arrives exactly once, across a
// restart; forget removes the profile answers too.
func TestE2EProgramme(t *testing.T) {
	const user = "U0PEER"
	clock := newClock(monday8)
	env := newEnv(t, clock)
	env.fake.AddUser(slackfake.User{ID: user, Name: "pat", TZ: "Europe/Berlin"})
	tb := env.start(t, Config{})
	ctx := testCtx(t)

	// Start: the answer offers the profile form, once, skippably.
	_, resp := tb.slash(t, user, "start")
	if !strings.Contains(string(resp.Blocks), actionProfileOpen) {
		t.Fatalf("no profile button under the start answer: %s", visible(resp))
	}
	// /lead-tip profile opens the form.
	id, _ := sendCommand(t, env.fake, user, "profile")
	if _, err := env.fake.WaitAck(ctx, id); err != nil {
		t.Fatal(err)
	}
	view, err := env.fake.WaitCall(ctx, "views.open", func(c slackfake.Call) bool { return strings.Contains(c.Params["view"], callbackProfileModal) })
	if err != nil {
		t.Fatalf("profile modal not opened: %v\n%s", err, tb.logs)
	}
	if !strings.Contains(view.Params["view"], "When did you become a manager?") {
		t.Errorf("profile modal: %s", view.Params["view"])
	}
	// A made-up option is refused in the form; the real answers are stored.
	if ack := profileSubmission(t, env.fake, user, map[string]string{blockStarted: "yesterday"}); !strings.Contains(ack, blockStarted) {
		t.Errorf("bad option ack = %s", ack)
	}
	if ack := profileSubmission(t, env.fake, user, map[string]string{blockStarted: "week", blockFormerPeers: "yes"}); strings.Contains(ack, "errors") {
		t.Fatalf("profile ack = %s", ack)
	}
	p, err := tb.db.Profile(ctx, user)
	if err != nil || p.FormerPeers != storage.Yes || daysAgo(p.StartedOn, clock.Now()) != 3 {
		t.Fatalf("stored profile %+v, %v; want former peers, started three days ago", p, err)
	}

	// The first month, three nudges a week.
	slots := slotsFrom(monday8, 16)
	var titles []string
	var firstNudge slackfake.Message
	var reflectedAt time.Time
	reflection := "I told <!channel> I would stop reviewing every PR myself, and <@U0BOSS> agreed: it went better than I feared."
	var lookBack slackfake.Message
	for i, slot := range slots {
		clock.Set(slot.Add(30 * time.Second))
		settle(t, tb)
		if i == 0 {
			nudges := nudgeMessages(env.fake, user)
			if len(nudges) != 1 {
				t.Fatalf("%d nudges after the first slot", len(nudges))
			}
			firstNudge = nudges[0]
			reflectedAt = clock.Now()
			sendEvent(t, env.fake, dmEvent(user, firstNudge.Channel, "1700000001.000100", firstNudge.TS, reflection), "EvReflect")
		}
		if lb := dmMessages(env.fake, user, lookBackTitle); len(lb) > 0 {
			lookBack = lb[0]
			break
		}
	}
	for _, m := range nudgeMessages(env.fake, user) {
		titles = append(titles, strings.TrimPrefix(m.Text, "New challenge: "))
	}
	lib := testLibrary(t)
	var peerTitles []string
	for _, n := range lib.Nudges {
		if n.For == prompts.ForFormerPeers {
			peerTitles = append(peerTitles, n.Title)
		}
	}
	if len(titles) == 0 || !containsString(peerTitles, titles[0]) {
		t.Errorf("first nudge %q is not one for former peers", titles)
	}
	if !containsString(titles[:min(12, len(titles))], "Reset expectations with a former peer") {
		t.Errorf("no expectations reset with former peers in the first month: %q", titles)
	}

	// The look-back: four weeks after the reflection, in place of a nudge.
	if lookBack.TS == "" {
		t.Fatalf("no look-back within %d slots; DM: %q", len(slots), titles)
	}
	if age := lookBack.At.Sub(firstNudge.At); age < 0 {
		t.Fatalf("look-back before the reflection")
	}
	lbText := slackfake.VisibleText(lookBack.Text, lookBack.Blocks)
	for _, want := range []string{"Four weeks ago", "&lt;!channel&gt;", "&lt;@U0BOSS&gt;", "What has changed since?"} {
		if !strings.Contains(lbText, want) {
			t.Errorf("look-back lacks %q:\n%s", want, lbText)
		}
	}
	if strings.Contains(string(lookBack.Blocks), "<!channel>") {
		t.Error("the look-back can ping the channel")
	}
	if days := clock.Now().Sub(reflectedAt).Hours() / 24; days < 28 || days > 31 {
		t.Errorf("look-back came %.1f days after the reflection, want 28 to 31", days)
	}
	t.Logf("first month: %q\nlook-back:\n%s", titles, lbText)
	sendEvent(t, env.fake, dmEvent(user, lookBack.Channel, "1700000002.000100", lookBack.TS, "Since then I hand over one review a week, and it holds."), "EvLookBack")
	waitFor(t, "the look-back's answer recorded", func() bool {
		rs, _ := tb.db.RecentReplies(ctx, user, 10)
		return len(rs) == 2
	})
	rs, _ := tb.db.RecentReplies(ctx, user, 10)
	answerDelivery, err := tb.db.Delivery(ctx, user, rs[0].DeliveryID)
	if err != nil || answerDelivery.Kind != storage.KindLookBack || answerDelivery.LooksBack != rs[1].ID {
		t.Errorf("the answer is linked to %+v (%v), want the look-back of reply %d", answerDelivery, err, rs[1].ID)
	}
	waitFor(t, "thanks in the look-back's thread", func() bool { return len(threadMessages(env.fake, lookBack.Channel, lookBack.TS)) == 1 })

	// Day 90: one summary, with the chart and their words; not again on the
	// next passes, nor after a restart.
	day90 := p.StartedOn.AddDate(0, 0, 90).In(berlin).Add(10 * time.Hour)
	clock.Set(day90)
	settle(t, tb)
	summaries := func() []slackfake.Message { return dmMessages(env.fake, user, "Your first 90 days") }
	waitFor(t, "the day-90 summary", func() bool { return len(summaries()) == 1 })
	sum := slackfake.VisibleText(summaries()[0].Text, summaries()[0].Blocks)
	t.Logf("summary:\n%s", sum)
	for _, want := range []string{"Your first 90 days as a manager", "challenges came your way", "In your own words", "&lt;!channel&gt;"} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary lacks %q:\n%s", want, sum)
		}
	}
	waitFor(t, "the summary's chart", func() bool {
		for _, f := range env.fake.Files() {
			if f.Name == "lead-coach-90-days.png" && f.Completed {
				return true
			}
		}
		return false
	})
	settle(t, tb)
	if err := tb.stop(); err != nil {
		t.Fatal(err)
	}
	clock.Add(24 * time.Hour)
	tb = env.start(t, Config{})
	settle(t, tb)
	if n := len(summaries()); n != 1 {
		t.Errorf("%d day-90 summaries, want exactly 1", n)
	}

	// Forget removes the profile answers with the rest.
	_, resp = tb.slash(t, user, "forget")
	click(t, env.fake, slackfake.Click{UserID: user, ActionID: actionForgetConfirm, Blocks: resp.Blocks, ChannelID: "D" + user, Ephemeral: true})
	waitFor(t, "forgotten", func() bool { d, _ := tb.db.UserData(ctx, user); return d.User == nil })
	if p, _ := tb.db.Profile(ctx, user); !p.UpdatedAt.IsZero() || p.FormerPeers != storage.Unsaid {
		t.Errorf("profile after forget: %+v", p)
	}
	if d, _ := tb.db.UserData(ctx, user); d.Profile != nil || len(d.Milestones) != 0 {
		t.Errorf("after forget: profile %+v, milestones %+v", d.Profile, d.Milestones)
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// The profile button under /lead-tip start and on the Home tab opens the
// form with the trigger of the press.
func TestProfileButtonOpensForm(t *testing.T) {
	env := newEnv(t, newClock(monday8))
	env.fake.AddUser(slackfake.User{ID: "U0ANA", Name: "ana", TZ: "Europe/Berlin"})
	tb := env.start(t, Config{})
	_, resp := tb.slash(t, "U0ANA", "start")
	click(t, env.fake, slackfake.Click{UserID: "U0ANA", ActionID: actionProfileOpen, Blocks: resp.Blocks, ChannelID: "DU0ANA", Ephemeral: true})
	ctx := testCtx(t)
	if _, err := env.fake.WaitCall(ctx, "views.open", func(c slackfake.Call) bool { return c.Params["trigger_id"] != "" }); err != nil {
		t.Fatalf("no modal: %v\n%s", err, tb.logs)
	}
	if calls := env.fake.Calls("views.open"); len(calls) != 1 || !strings.Contains(calls[0].Params["view"], callbackProfileModal) {
		t.Errorf("views.open calls: %+v", calls)
	}
}
