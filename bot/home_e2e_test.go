package bot

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/leadcoach/leadbot/bot/slackfake"
)

// homeText returns the visible text of user's published Home tab.
func homeText(t *testing.T, fake *slackfake.Server, user string) (string, json.RawMessage) {
	t.Helper()
	v, ok := fake.HomeView(user)
	if !ok {
		return "", nil
	}
	var view struct {
		Blocks json.RawMessage `json:"blocks"`
		ID     string          `json:"id"`
	}
	if err := json.Unmarshal(v, &view); err != nil {
		t.Fatal(err)
	}
	return slackfake.VisibleText("", view.Blocks), view.Blocks
}

func waitHome(t *testing.T, fake *slackfake.Server, user, want string) (string, json.RawMessage) {
	t.Helper()
	var text string
	var blocks json.RawMessage
	waitFor(t, "Home tab showing "+want, func() bool {
		text, blocks = homeText(t, fake, user)
		return strings.Contains(text, want)
	})
	return text, blocks
}

func homeClick(t *testing.T, fake *slackfake.Server, user, action string, blocks json.RawMessage) {
	t.Helper()
	click(t, fake, slackfake.Click{UserID: user, ActionID: action, Blocks: blocks, ViewID: "VHOME" + user})
}

// viewSubmission sends the schedule modal's submission with the given days
// (weekday numbers) and time, and returns the ack's payload.
func viewSubmission(t *testing.T, fake *slackfake.Server, user string, days []string, at string) string {
	t.Helper()
	var selected []map[string]any
	for _, d := range days {
		selected = append(selected, map[string]any{"value": d, "text": map[string]any{"type": "plain_text", "text": d}})
	}
	values := map[string]map[string]any{
		blockDays: {blockDays: map[string]any{"type": "checkboxes", "selected_options": selected}},
		blockTime: {blockTime: map[string]any{"type": "timepicker", "selected_time": at}},
	}
	return submitView(t, fake, user, callbackScheduleModal, values)
}

// submitView sends the submission of the modal callbackID by user, with
// its state's values (block id → action id → value), and returns the
// ack's payload.
func submitView(t *testing.T, fake *slackfake.Server, user, callbackID string, values map[string]map[string]any) string {
	t.Helper()
	ctx := testCtx(t)
	id, err := fake.SubmitView(ctx, user, json.RawMessage(`{"id": "VMODAL", "callback_id": "`+callbackID+`"}`), values)
	if err != nil {
		t.Fatal(err)
	}
	ack, err := fake.WaitAck(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return string(ack.Payload)
}

// TestE2EHomeTab: opening the Home tab publishes it; its buttons and the
// schedule modal (invalid, then valid input) work; it is refreshed after a
// nudge is answered.
func TestE2EHomeTab(t *testing.T) {
	clock := newClock(monday8)
	env := newEnv(t, clock)
	env.fake.AddUser(slackfake.User{ID: "U0ANA", TZ: "Europe/Berlin"})
	tb := env.start(t, Config{})

	sendEvent(t, env.fake, map[string]any{"type": "app_home_opened", "user": "U0ANA", "channel": "DU0ANA", "tab": "home", "event_ts": "1.1"}, "EvHOME1")
	_, blocks := waitHome(t, env.fake, "U0ANA", "Nudges:* off")
	for _, want := range []string{"Tip of the day", "This week"} {
		if text, _ := homeText(t, env.fake, "U0ANA"); !strings.Contains(text, want) {
			t.Errorf("Home tab lacks %q:\n%s", want, text)
		}
	}

	// Start from the Home tab.
	homeClick(t, env.fake, "U0ANA", actionHomeStart, blocks)
	_, blocks = waitHome(t, env.fake, "U0ANA", "Monday, Wednesday and Friday at 09:30 (Europe/Berlin)")

	// Another tip changes the tip of the day.
	before, _ := homeText(t, env.fake, "U0ANA")
	homeClick(t, env.fake, "U0ANA", actionHomeTip, blocks)
	waitFor(t, "a different tip", func() bool { now, _ := homeText(t, env.fake, "U0ANA"); return now != before })

	// Change schedule: the modal opens, bad input gets field errors, good
	// input is saved and shown.
	_, blocks = homeText(t, env.fake, "U0ANA")
	homeClick(t, env.fake, "U0ANA", actionHomeSchedule, blocks)
	opened, err := env.fake.WaitCall(testCtx(t), "views.open", nil)
	if err != nil {
		t.Fatalf("the schedule modal was not opened: %v", err)
	}
	if !strings.Contains(string(opened.Body), "Time (Europe/Berlin)") {
		t.Errorf("the modal's time field does not name the timezone: %s", opened.Body)
	}
	ack := viewSubmission(t, env.fake, "U0ANA", nil, "")
	if !strings.Contains(ack, `"response_action":"errors"`) || !strings.Contains(ack, "Pick at least one day") || !strings.Contains(ack, "Pick a time") {
		t.Errorf("invalid submission ack = %s, want field errors", ack)
	}
	if sub, _ := tb.db.Subscription(context.Background(), "U0ANA"); sub.Minute != defaultMinute {
		t.Error("an invalid submission changed the schedule")
	}
	ack = viewSubmission(t, env.fake, "U0ANA", []string{"2", "4"}, "16:15")
	if strings.Contains(ack, "errors") {
		t.Errorf("valid submission ack = %s", ack)
	}
	_, blocks = waitHome(t, env.fake, "U0ANA", "Tuesday and Thursday at 16:15")

	// Pause and resume.
	homeClick(t, env.fake, "U0ANA", actionHomePause, blocks)
	_, blocks = waitHome(t, env.fake, "U0ANA", "paused until you resume")
	homeClick(t, env.fake, "U0ANA", actionHomeResume, blocks)
	waitHome(t, env.fake, "U0ANA", "Next:")

	// A nudge answered Done shows up in this week's list and the streak.
	tb.slash(t, "U0ANA", "nudge")
	nudge := nudgeMessages(env.fake, "U0ANA")[0]
	click(t, env.fake, slackfake.Click{UserID: "U0ANA", ActionID: actionNudgeDone, Blocks: nudge.Blocks, ChannelID: nudge.Channel, MessageTS: nudge.TS})
	waitHome(t, env.fake, "U0ANA", "1 week in a row")
	text, _ := homeText(t, env.fake, "U0ANA")
	if !strings.Contains(text, "done") || !strings.Contains(text, "Listening: 1 done") {
		t.Errorf("Home tab after Done:\n%s", text)
	}
}

// TestE2EExportAndForget: export uploads a JSON file with the user's
// replies; forget asks first, deletes everything, and a second export is
// empty. Another user's presses and exports never reach Ana's data.
func TestE2EExportAndForget(t *testing.T) {
	clock := newClock(monday8)
	env := newEnv(t, clock)
	env.fake.AddUser(slackfake.User{ID: "U0ANA", TZ: "Europe/Berlin"})
	env.fake.AddUser(slackfake.User{ID: "U0BEN", TZ: "Europe/Berlin"})
	tb := env.start(t, Config{})
	ctx := context.Background()

	for _, u := range []string{"U0ANA", "U0BEN"} {
		tb.slash(t, u, "start")
		tb.slash(t, u, "nudge")
		tb.slash(t, u, "delegation")
		n := nudgeMessages(env.fake, u)[0]
		sendEvent(t, env.fake, dmEvent(u, n.Channel, "1800000000.0001"+u[3:], n.TS, "reflection of "+u), "EvR"+u)
	}

	export := func(user, says string) map[string]any {
		t.Helper()
		before := len(env.fake.Files())
		_, resp := tb.slash(t, user, "export")
		if !strings.Contains(visible(resp), says) {
			t.Fatalf("export reply: %s, want %q", visible(resp), says)
		}
		files := env.fake.Files()
		if len(files) != before+1 || !files[before].Completed || files[before].Channel != "D"+user {
			t.Fatalf("export file not uploaded to the user's DM: %+v", files)
		}
		var got map[string]any
		if err := json.Unmarshal(files[before].Content, &got); err != nil {
			t.Fatalf("export is not JSON: %v", err)
		}
		return got
	}
	got := export("U0ANA", "Sent: your data (1 nudge, 1 reply) is in our DM")
	raw, _ := json.Marshal(got)
	for _, want := range []string{`"format":"leadbot-export/3"`, "reflection of U0ANA", `"id":"U0ANA"`, `"tips_seen":[{`} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("export lacks %s:\n%s", want, raw)
		}
	}
	for _, leak := range []string{"U0BEN", "xoxb-", "xapp-"} {
		if strings.Contains(string(raw), leak) {
			t.Errorf("Ana's export contains %q", leak)
		}
	}

	// Forget asks first.
	_, resp := tb.slash(t, "U0ANA", "forget")
	if !strings.Contains(visible(resp), "Delete everything") {
		t.Fatalf("forget reply: %s", visible(resp))
	}
	if data, _ := tb.db.UserData(ctx, "U0ANA"); data.User == nil {
		t.Fatal("forget deleted before confirmation")
	}
	// Ben pressing a confirm button deletes only Ben's data, never Ana's.
	click(t, env.fake, slackfake.Click{UserID: "U0BEN", ActionID: actionForgetConfirm, Blocks: resp.Blocks, ChannelID: "C0GENERAL", Ephemeral: true})
	waitFor(t, "Ben forgotten", func() bool { d, _ := tb.db.UserData(ctx, "U0BEN"); return d.User == nil })
	if data, _ := tb.db.UserData(ctx, "U0ANA"); data.User == nil || len(data.Replies) != 1 {
		t.Fatalf("Ben's press touched Ana's data: %+v", data)
	}
	click(t, env.fake, slackfake.Click{UserID: "U0ANA", ActionID: actionForgetConfirm, Blocks: resp.Blocks, ChannelID: "C0GENERAL", Ephemeral: true})
	summaries := func() []slackfake.ResponsePost {
		var out []slackfake.ResponsePost
		for _, p := range env.fake.ResponsePosts() {
			if strings.Contains(slackfake.VisibleText(p.Text, p.Blocks), "I deleted 1 nudge, 1 reply, 1 tip seen") {
				out = append(out, p)
			}
		}
		return out
	}
	waitFor(t, "two deletion summaries", func() bool { return len(summaries()) == 2 })
	for _, p := range summaries() {
		if !p.ReplaceOriginal {
			t.Error("the confirmation was not replaced by the summary")
		}
	}
	if data, _ := tb.db.UserData(ctx, "U0ANA"); data.User != nil || len(data.Deliveries) != 0 {
		t.Errorf("Ana's data after forget: %+v", data)
	}
	got = export("U0ANA", "Sent: your data (0 nudges, 0 replies)")
	if got["user"] != nil || len(got["nudges"].([]any)) != 0 || len(got["tips_seen"].([]any)) != 0 {
		t.Errorf("export after forget is not empty: %v", got)
	}
}

// TestE2EWeeklyDigest: on Friday 16:00 local a subscribed user gets the
// week's summary with the chart; a user with nothing this week gets a
// short note and no chart; digest off stops it.
func TestE2EWeeklyDigest(t *testing.T) {
	clock := newClock(monday8)
	env := newEnv(t, clock)
	for _, u := range []string{"U0ANA", "U0BEN", "U0CAT"} {
		env.fake.AddUser(slackfake.User{ID: u, TZ: "Europe/Berlin"})
	}
	tb := env.start(t, Config{})
	for _, u := range []string{"U0ANA", "U0BEN", "U0CAT"} {
		tb.slash(t, u, "start mon 07:00") // no scheduled nudge before Friday
	}
	tb.slash(t, "U0ANA", "nudge")
	n := nudgeMessages(env.fake, "U0ANA")[0]
	click(t, env.fake, slackfake.Click{UserID: "U0ANA", ActionID: actionNudgeDone, Blocks: n.Blocks, ChannelID: n.Channel, MessageTS: n.TS})
	sendEvent(t, env.fake, dmEvent("U0ANA", n.Channel, "1800000000.000900", n.TS, "Handed the release checklist to Sam <!here>"), "EvDIG1")
	_, resp := tb.slash(t, "U0CAT", "digest off")
	if !strings.Contains(visible(resp), "Weekly summary off") {
		t.Errorf("digest off reply: %s", visible(resp))
	}

	clock.Set(time.Date(2026, 11, 27, 16, 0, 30, 0, berlin))
	waitFor(t, "Ana's chart", func() bool { fs := env.fake.Files(); return len(fs) == 1 && fs[0].Completed })
	digest := func(user string) []slackfake.Message {
		var out []slackfake.Message
		for _, m := range env.fake.Messages("D" + user) {
			if m.Text == "Your week with Lead Coach" {
				out = append(out, m)
			}
		}
		return out
	}
	waitFor(t, "Ben's note", func() bool { return len(digest("U0BEN")) == 1 })
	ana := slackfake.VisibleText(digest("U0ANA")[0].Text, digest("U0ANA")[0].Blocks)
	for _, want := range []string{"1 challenge, 1 done", "1 week in a row", "Handed the release checklist to Sam &lt;!here&gt;"} {
		if !strings.Contains(ana, want) {
			t.Errorf("Ana's digest lacks %q:\n%s", want, ana)
		}
	}
	if f := env.fake.Files()[0]; f.Channel != "DU0ANA" || len(f.Content) < 1000 || !strings.HasSuffix(f.Name, ".png") {
		t.Errorf("chart upload = %+v", f)
	}
	if ben := slackfake.VisibleText(digest("U0BEN")[0].Text, digest("U0BEN")[0].Blocks); !strings.Contains(ben, "quiet week") {
		t.Errorf("Ben's digest:\n%s", ben)
	}
	settle(t, tb)
	if len(digest("U0CAT")) != 0 {
		t.Error("Cat turned the digest off but got one")
	}
	if len(digest("U0ANA")) != 1 || len(env.fake.Files()) != 1 {
		t.Error("a digest went out twice")
	}
}
