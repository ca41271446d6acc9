package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/leadcoach/leadbot/bot/slackfake"
	"github.com/leadcoach/leadbot/storage"
)

var berlin = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	return loc
}()

// monday8 is Monday 23 November 2026, 08:00 in Berlin.
var monday8 = time.Date(2026, 11, 23, 8, 0, 0, 0, berlin)

// waitFor polls cond until it holds or the test's patience runs out.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	waitWithin(t, 10*time.Second, what, cond)
}

// waitWithin is waitFor with a deadline of d.
func waitWithin(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// nudgeMessages returns the top-level nudge messages in user's DM.
func nudgeMessages(fake *slackfake.Server, user string) []slackfake.Message {
	var out []slackfake.Message
	for _, m := range fake.Messages("D" + user) {
		if isNudge(m) {
			out = append(out, m)
		}
	}
	return out
}

// isNudge reports whether m is a nudge: a top-level "New challenge".
func isNudge(m slackfake.Message) bool {
	return m.ThreadTS == "" && strings.HasPrefix(m.Text, "New challenge")
}

func threadMessages(fake *slackfake.Server, channel, ts string) []slackfake.Message {
	var out []slackfake.Message
	for _, m := range fake.Messages(channel) {
		if m.ThreadTS == ts {
			out = append(out, m)
		}
	}
	return out
}

// dmEvent is a message.im event as Slack sends it.
func dmEvent(user, channel, ts, threadTS, text string) map[string]any {
	return messageEvent("im", user, channel, ts, threadTS, text)
}

// messageEvent is a message event in a conversation of channelType (im,
// channel, group) as Slack sends it.
func messageEvent(channelType, user, channel, ts, threadTS, text string) map[string]any {
	ev := map[string]any{"type": "message", "channel": channel, "user": user, "text": text, "ts": ts, "event_ts": ts, "channel_type": channelType}
	if threadTS != "" {
		ev["thread_ts"] = threadTS
	}
	return ev
}

// sendEvent sends ev with eventID and waits for its ack.
func sendEvent(t *testing.T, fake *slackfake.Server, ev any, eventID string) {
	t.Helper()
	ctx := testCtx(t)
	id, err := fake.SendEventWithID(ctx, ev, eventID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fake.WaitAck(ctx, id); err != nil {
		t.Fatalf("event %s not acknowledged: %v", eventID, err)
	}
}

func click(t *testing.T, fake *slackfake.Server, c slackfake.Click) {
	t.Helper()
	ctx := testCtx(t)
	id, err := fake.ClickButton(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fake.WaitAck(ctx, id); err != nil {
		t.Fatalf("click not acknowledged: %v", err)
	}
}

func replyCount(t *testing.T, db *storage.DB, user string, deliveryID int64) int {
	t.Helper()
	rs, err := db.Replies(context.Background(), user, deliveryID)
	if err != nil {
		t.Fatal(err)
	}
	return len(rs)
}

// TestE2ENudgeFlow: start, nudge, the DM with buttons, a thread reply (and
// the same event redelivered), a button press, another user's press, and
// history.
func TestE2ENudgeFlow(t *testing.T) {
	clock := newClock(monday8)
	env := newEnv(t, clock)
	env.fake.AddUser(slackfake.User{ID: "U0ANA", Name: "ana", TZ: "Europe/Berlin"})
	env.fake.AddUser(slackfake.User{ID: "U0BEN", Name: "ben", TZ: "America/New_York"})
	tb := env.start(t, Config{})

	_, resp := tb.slash(t, "U0ANA", "start")
	for _, want := range []string{"Monday, Wednesday and Friday at 09:30 (Europe/Berlin)", "Monday 23 November at 09:30"} {
		if !strings.Contains(visible(resp), want) {
			t.Errorf("start reply lacks %q:\n%s", want, visible(resp))
		}
	}

	_, resp = tb.slash(t, "U0ANA", "nudge")
	if !strings.Contains(visible(resp), "Sent") {
		t.Fatalf("nudge reply: %s", visible(resp))
	}
	msgs := nudgeMessages(env.fake, "U0ANA")
	if len(msgs) != 1 {
		t.Fatalf("%d nudge messages, want 1", len(msgs))
	}
	nudge := msgs[0]
	var labels []string
	for _, b := range slackfake.Buttons(nudge.Blocks) {
		labels = append(labels, b.Text)
	}
	if strings.Join(labels, ",") != "Done,Not yet,Skip" {
		t.Errorf("buttons = %v, want Done, Not yet, Skip", labels)
	}
	text := slackfake.VisibleText(nudge.Text, nudge.Blocks)
	for _, want := range []string{"Why:", "from", "To reflect on:", "Reply in this thread"} {
		if !strings.Contains(text, want) {
			t.Errorf("nudge lacks %q:\n%s", want, text)
		}
	}

	// A second nudge reuses the DM channel: conversations.open once only.
	clock.Add(time.Second)
	tb.slash(t, "U0ANA", "nudge")
	if n := len(env.fake.Calls("conversations.open")); n != 1 {
		t.Errorf("conversations.open called %d times, want 1", n)
	}

	// A reply in the first nudge's thread is recorded and answered once.
	ds, _ := tb.db.Deliveries(context.Background(), "U0ANA", 10)
	first := ds[len(ds)-1]
	reply := dmEvent("U0ANA", nudge.Channel, "1800000000.000100", nudge.TS, "I handed the release to <@U0BEN> <!channel> & it went fine")
	sendEvent(t, env.fake, reply, "EvREPLY1")
	waitFor(t, "thank-you in the thread", func() bool { return len(threadMessages(env.fake, nudge.Channel, nudge.TS)) == 1 })
	thanks := threadMessages(env.fake, nudge.Channel, nudge.TS)[0]
	if strings.Contains(thanks.Text+string(thanks.Blocks), "<@U0BEN>") || strings.Contains(thanks.Text+string(thanks.Blocks), "<!channel>") {
		t.Error("the thank-you echoes a mention from the reply")
	}
	// Slack delivering the same event again (a new envelope, same event id)
	// stores nothing twice and answers nothing twice.
	sendEvent(t, env.fake, reply, "EvREPLY1")
	if n := replyCount(t, tb.db, "U0ANA", first.ID); n != 1 {
		t.Errorf("%d replies stored, want 1", n)
	}
	settle(t, tb)
	if n := len(threadMessages(env.fake, nudge.Channel, nudge.TS)); n != 1 {
		t.Errorf("%d answers in the thread after a redelivery, want 1", n)
	}

	// Another user pressing Ana's button changes nothing.
	click(t, env.fake, slackfake.Click{UserID: "U0BEN", ActionID: actionNudgeSkip, Blocks: nudge.Blocks, ChannelID: nudge.Channel, MessageTS: nudge.TS})
	if _, err := env.fake.WaitResponsePost(testCtx(t), func(p slackfake.ResponsePost) bool {
		return strings.Contains(slackfake.VisibleText(p.Text, p.Blocks), "belongs to someone else")
	}); err != nil {
		t.Errorf("no refusal for another user's press: %v", err)
	}
	// Ana presses Done: recorded, and the message loses its buttons.
	click(t, env.fake, slackfake.Click{UserID: "U0ANA", ActionID: actionNudgeDone, Blocks: nudge.Blocks, ChannelID: nudge.Channel, MessageTS: nudge.TS})
	waitFor(t, "the nudge updated", func() bool {
		for _, m := range env.fake.Messages(nudge.Channel) {
			if m.TS == nudge.TS {
				return m.Edited
			}
		}
		return false
	})
	for _, m := range env.fake.Messages(nudge.Channel) {
		if m.TS == nudge.TS {
			if len(slackfake.Buttons(m.Blocks)) != 0 || !strings.Contains(slackfake.VisibleText(m.Text, m.Blocks), "Done.") {
				t.Errorf("updated nudge:\n%s", slackfake.VisibleText(m.Text, m.Blocks))
			}
		}
	}
	got, err := tb.db.Delivery(context.Background(), "U0ANA", first.ID)
	if err != nil || got.Outcome != storage.OutcomeDone {
		t.Errorf("outcome = %q, %v; want done", got.Outcome, err)
	}

	// History shows both nudges, the outcome and the reply, escaped.
	_, resp = tb.slash(t, "U0ANA", "history")
	h := visible(resp)
	for _, want := range []string{"Your last 2 nudges", "done", "I handed the release to &lt;@U0BEN&gt; &lt;!channel&gt; &amp; it went fine"} {
		if !strings.Contains(h, want) {
			t.Errorf("history lacks %q:\n%s", want, h)
		}
	}
	// Ben sees only his own (empty) history.
	_, resp = tb.slash(t, "U0BEN", "history")
	if !strings.Contains(visible(resp), "No nudges yet") {
		t.Errorf("Ben's history: %s", visible(resp))
	}
}

// A 429 from Slack while posting a nudge is retried after Retry-After.
func TestE2ENudgeRetriesRateLimit(t *testing.T) {
	env := newEnv(t, nil)
	env.fake.AddUser(slackfake.User{ID: "U0ANA", TZ: "Europe/Berlin"})
	tb := env.start(t, Config{})
	env.fake.InjectFault("chat.postMessage", 1, slackfake.Fault{Status: 429, RetryAfter: 1})
	_, resp := tb.slash(t, "U0ANA", "nudge")
	if !strings.Contains(visible(resp), "Sent") {
		t.Fatalf("nudge reply: %s", visible(resp))
	}
	if n := len(nudgeMessages(env.fake, "U0ANA")); n != 1 {
		t.Errorf("%d nudges delivered, want 1", n)
	}
	if n := env.fake.RateLimited("chat.postMessage"); n != 1 {
		t.Errorf("%d rate-limited calls, want 1", n)
	}
}

// TestE2EScheduledDelivery: a subscribed user gets their nudge at 09:30
// their time, once, even with two bot processes on the same database.
func TestE2EScheduledDelivery(t *testing.T) {
	clock := newClock(monday8)
	env := newEnv(t, clock)
	env.fake.AddUser(slackfake.User{ID: "U0ANA", TZ: "Europe/Berlin"})
	tb := env.start(t, Config{})
	second := env.start(t, Config{}) // a second process started by mistake
	tb.slash(t, "U0ANA", "start")

	clock.Set(time.Date(2026, 11, 23, 9, 29, 0, 0, berlin))
	settle(t, tb, second)
	if n := len(nudgeMessages(env.fake, "U0ANA")); n != 0 {
		t.Fatalf("%d nudges before 09:30", n)
	}
	clock.Set(time.Date(2026, 11, 23, 9, 30, 5, 0, berlin))
	waitFor(t, "the 09:30 nudge", func() bool { return len(nudgeMessages(env.fake, "U0ANA")) > 0 })
	settle(t, tb, second) // several passes of both processes
	if n := len(nudgeMessages(env.fake, "U0ANA")); n != 1 {
		t.Errorf("%d nudges for one slot with two processes, want 1", n)
	}
	sub, _ := second.db.Subscription(context.Background(), "U0ANA")
	if want := time.Date(2026, 11, 25, 9, 30, 0, 0, berlin); !sub.NextAt.Equal(want) {
		t.Errorf("next slot %v, want Wednesday 09:30", sub.NextAt.In(berlin))
	}
}

// TestE2ECatchup: after downtime, a slot missed by less than the catch-up
// window is delivered late, once; an older one is skipped.
func TestE2ECatchup(t *testing.T) {
	clock := newClock(monday8)
	env := newEnv(t, clock)
	env.fake.AddUser(slackfake.User{ID: "U0ANA", TZ: "Europe/Berlin"})
	env.fake.AddUser(slackfake.User{ID: "U0BEN", TZ: "Europe/Berlin"})
	tb := env.start(t, Config{})
	tb.slash(t, "U0ANA", "start mon 09:30")
	tb.slash(t, "U0BEN", "start mon 08:30")
	if err := tb.stop(); err != nil {
		t.Fatal(err)
	}

	clock.Set(time.Date(2026, 11, 23, 10, 45, 0, 0, berlin)) // Ana 75 min late, Ben 2h15 late
	tb2 := env.start(t, Config{})
	waitFor(t, "Ana's late nudge", func() bool { return len(nudgeMessages(env.fake, "U0ANA")) == 1 })
	settle(t, tb2)
	if n := len(nudgeMessages(env.fake, "U0ANA")); n != 1 {
		t.Errorf("Ana got %d nudges, want 1", n)
	}
	if n := len(nudgeMessages(env.fake, "U0BEN")); n != 0 {
		t.Errorf("Ben got %d nudges for a slot missed by more than 2 h, want 0", n)
	}
	sub, _ := tb2.db.Subscription(context.Background(), "U0BEN")
	if want := time.Date(2026, 11, 30, 8, 30, 0, 0, berlin); !sub.NextAt.Equal(want) {
		t.Errorf("Ben's next slot %v, want next Monday", sub.NextAt.In(berlin))
	}
	if !strings.Contains(tb2.logs.String(), "skipped") {
		t.Error("the skipped slot was not logged")
	}
}

// TestE2ERepliesAndReminders: a DM within 48 hours counts as the reply; a
// later one does not. No answer in two working days gives one follow-up.
// "Not yet" asks again two working days later, at the usual nudge time
// (09:30 for someone with no schedule).
func TestE2ERepliesAndReminders(t *testing.T) {
	clock := newClock(time.Date(2026, 11, 20, 10, 0, 0, 0, berlin)) // a Friday
	env := newEnv(t, clock)
	env.fake.AddUser(slackfake.User{ID: "U0ANA", TZ: "Europe/Berlin"})
	env.fake.AddUser(slackfake.User{ID: "U0BEN", TZ: "Europe/Berlin"})
	tb := env.start(t, Config{})
	tb.slash(t, "U0ANA", "nudge")
	tb.slash(t, "U0BEN", "nudge")
	ana := nudgeMessages(env.fake, "U0ANA")[0]
	ben := nudgeMessages(env.fake, "U0BEN")[0]
	anaD, _ := tb.db.Deliveries(context.Background(), "U0ANA", 1)

	// Ana answers in a plain DM a day later: recorded against the nudge.
	clock.Add(24 * time.Hour)
	sendEvent(t, env.fake, dmEvent("U0ANA", ana.Channel, "1800000001.000100", "", "Did it, felt odd"), "EvDM1")
	if n := replyCount(t, tb.db, "U0ANA", anaD[0].ID); n != 1 {
		t.Fatalf("DM within 48h: %d replies stored, want 1", n)
	}
	// Edits and deletions follow the message.
	edited := map[string]any{"type": "message", "subtype": "message_changed", "channel": ana.Channel, "channel_type": "im", "ts": "1800000001.000200",
		"message": map[string]any{"type": "message", "user": "U0ANA", "text": "Did it, felt good", "ts": "1800000001.000100"}}
	sendEvent(t, env.fake, edited, "EvEDIT1")
	rs, _ := tb.db.Replies(context.Background(), "U0ANA", anaD[0].ID)
	if len(rs) != 1 || rs[0].Text != "Did it, felt good" {
		t.Errorf("after edit: %+v", rs)
	}
	deleted := map[string]any{"type": "message", "subtype": "message_deleted", "channel": ana.Channel, "channel_type": "im",
		"ts": "1800000001.000300", "deleted_ts": "1800000001.000100"}
	sendEvent(t, env.fake, deleted, "EvDEL1")
	if n := replyCount(t, tb.db, "U0ANA", anaD[0].ID); n != 0 {
		t.Errorf("after delete: %d replies, want 0", n)
	}
	// Three days after the nudge a plain DM is not filed against it.
	clock.Add(48 * time.Hour)
	sendEvent(t, env.fake, dmEvent("U0ANA", ana.Channel, "1800000002.000100", "", "unrelated question about budgets"), "EvDM2")
	if n := replyCount(t, tb.db, "U0ANA", anaD[0].ID); n != 0 {
		t.Errorf("DM after 48h stored against the nudge")
	}

	// Ben never answered: Friday 10:00 + two working days = Tuesday 10:00.
	clock.Set(time.Date(2026, 11, 24, 9, 59, 0, 0, berlin))
	settle(t, tb)
	if n := len(threadMessages(env.fake, ben.Channel, ben.TS)); n != 0 {
		t.Fatalf("follow-up before two working days")
	}
	clock.Set(time.Date(2026, 11, 24, 10, 1, 0, 0, berlin))
	waitFor(t, "Ben's follow-up", func() bool { return len(threadMessages(env.fake, ben.Channel, ben.TS)) == 1 })
	clock.Add(72 * time.Hour)
	settle(t, tb)
	if n := len(threadMessages(env.fake, ben.Channel, ben.TS)); n != 1 {
		t.Errorf("%d follow-ups, want exactly 1", n)
	}

	// Ben presses Not yet on Friday 27th at 11:00: asked again on Tuesday
	// 1 December at 09:30, the default nudge time (he has no schedule).
	clock.Set(time.Date(2026, 11, 27, 11, 0, 0, 0, berlin))
	click(t, env.fake, slackfake.Click{UserID: "U0BEN", ActionID: actionNudgeNotYet, Blocks: ben.Blocks, ChannelID: ben.Channel, MessageTS: ben.TS})
	waitFor(t, "the Not yet update", func() bool {
		for _, m := range env.fake.Messages(ben.Channel) {
			if m.TS == ben.TS && m.Edited {
				return strings.Contains(slackfake.VisibleText(m.Text, m.Blocks), "Tuesday 1 December at 09:30")
			}
		}
		return false
	})
	clock.Set(time.Date(2026, 12, 1, 9, 31, 0, 0, berlin))
	waitFor(t, "the re-ask", func() bool { return len(nudgeMessages(env.fake, "U0BEN")) == 2 })
	again := nudgeMessages(env.fake, "U0BEN")[1]
	if !strings.Contains(slackfake.VisibleText(again.Text, again.Blocks), "Back to this one") {
		t.Errorf("re-ask:\n%s", slackfake.VisibleText(again.Text, again.Blocks))
	}
	if !strings.Contains(string(again.Blocks), strings.SplitN(ben.Text, ": ", 2)[1]) {
		t.Error("the re-ask is not the same nudge")
	}
}

// TestE2ERecoverInterruptedDeliveries: a delivery claimed but never
// recorded as sent (the process died in between) is recorded if its
// message is in the DM already, and sent otherwise: exactly once either way.
func TestE2ERecoverInterruptedDeliveries(t *testing.T) {
	clock := newClock(monday8)
	env := newEnv(t, clock)
	ctx := context.Background()
	db, err := storage.Open(ctx, env.dbPath, storage.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var claimed []storage.Delivery
	for _, u := range []string{"U0POSTED", "U0LOST"} {
		env.fake.AddUser(slackfake.User{ID: u, TZ: "Europe/Berlin"})
		if err := db.SaveUser(ctx, storage.User{ID: u, TeamID: "T0LEAD", TZ: "Europe/Berlin", TZCheckedAt: monday8, DMChannel: "D" + u}); err != nil {
			t.Fatal(err)
		}
		d, ok, err := db.ClaimNow(ctx, storage.Delivery{UserID: u, NudgeID: "delegate-whole-task", Kind: "delegate", Slot: monday8})
		if err != nil || !ok {
			t.Fatalf("claim for %s: %v, %v", u, ok, err)
		}
		claimed = append(claimed, d)
	}
	// The first one reached Slack before the "crash".
	api := slack.New("xoxb-test", slack.OptionAPIURL(env.fake.APIURL()))
	_, postedTS, err := api.PostMessage("DU0POSTED", slack.MsgOptionText("New challenge: Delegate one task end to end", false),
		slack.MsgOptionMetadata(nudgeMarker.metadata(claimed[0].ID)))
	if err != nil {
		t.Fatal(err)
	}

	clock.Add(5 * time.Minute)
	tb := env.start(t, Config{})
	waitFor(t, "the lost delivery resent", func() bool { return len(nudgeMessages(env.fake, "U0LOST")) == 1 })
	waitFor(t, "both recorded as sent", func() bool {
		a, _ := tb.db.Delivery(ctx, "U0POSTED", claimed[0].ID)
		b, _ := tb.db.Delivery(ctx, "U0LOST", claimed[1].ID)
		return a.State == storage.StateSent && b.State == storage.StateSent
	})
	settle(t, tb)
	if n := len(nudgeMessages(env.fake, "U0POSTED")); n != 1 {
		t.Errorf("the posted delivery was sent again: %d messages", n)
	}
	if n := len(nudgeMessages(env.fake, "U0LOST")); n != 1 {
		t.Errorf("the lost delivery: %d messages, want 1", n)
	}
	if got, _ := tb.db.Delivery(ctx, "U0POSTED", claimed[0].ID); got.TS != postedTS {
		t.Errorf("recovered delivery ts %q, want %q", got.TS, postedTS)
	}
}

// With catch-up turned off (LEADBOT_CATCHUP=0), a slot noticed a few
// seconds late is still on time; one noticed after downtime is not.
func TestE2ENoCatchupStillOnTime(t *testing.T) {
	clock := newClock(monday8)
	env := newEnv(t, clock)
	env.fake.AddUser(slackfake.User{ID: "U0ANA", TZ: "Europe/Berlin"})
	env.fake.AddUser(slackfake.User{ID: "U0BEN", TZ: "Europe/Berlin"})
	tb := env.start(t, Config{Catchup: -1})
	tb.slash(t, "U0ANA", "start mon 09:30")
	tb.slash(t, "U0BEN", "start mon 09:00")
	if err := tb.stop(); err != nil {
		t.Fatal(err)
	}
	clock.Set(time.Date(2026, 11, 23, 9, 30, 20, 0, berlin)) // Ana 20 s late, Ben 30 min
	late := env.start(t, Config{Catchup: -1})
	waitFor(t, "Ana's nudge", func() bool { return len(nudgeMessages(env.fake, "U0ANA")) == 1 })
	settle(t, late)
	if n := len(nudgeMessages(env.fake, "U0BEN")); n != 0 {
		t.Errorf("Ben got %d nudges 30 minutes late with catch-up off", n)
	}
}
