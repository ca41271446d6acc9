package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/leadcoach/leadbot/bot/slackfake"
	"github.com/leadcoach/leadbot/storage"
)

// userSnapshot is everything stored about one user.
type userSnapshot struct {
	User         storage.User
	Subscription storage.Subscription
	Deliveries   []storage.Delivery
	Replies      map[int64][]storage.Reply
	TipsSeen     map[string]storage.TipSeen
}

func snapshot(t *testing.T, db *storage.DB, user string) userSnapshot {
	t.Helper()
	ctx := context.Background()
	var s userSnapshot
	var err error
	if s.User, err = db.User(ctx, user); err != nil {
		t.Fatal(err)
	}
	if s.Subscription, err = db.Subscription(ctx, user); err != nil {
		t.Fatal(err)
	}
	if s.Deliveries, err = db.Deliveries(ctx, user, 1000); err != nil {
		t.Fatal(err)
	}
	s.Replies = map[int64][]storage.Reply{}
	for _, d := range s.Deliveries {
		if s.Replies[d.ID], err = db.Replies(ctx, user, d.ID); err != nil {
			t.Fatal(err)
		}
	}
	if s.TipsSeen, err = db.TipsSeen(ctx, user); err != nil {
		t.Fatal(err)
	}
	return s
}

// buttonBlocks is a message holding one button, to click with a value of
// the test's choosing.
func buttonBlocks(actionID, value string) json.RawMessage {
	b, _ := json.Marshal([]map[string]any{{"type": "actions", "block_id": "crafted", "elements": []map[string]any{{
		"type": "button", "action_id": actionID, "value": value, "text": map[string]any{"type": "plain_text", "text": "x"},
	}}}})
	return b
}

// TestUsersOnlyTouchTheirOwnData: Ben runs every command and presses every
// button, on Ana's messages and with crafted values (Ana's delivery ids,
// tip ids, user id, markup, nonsense); everything he reads, changes or
// deletes is his own. Ana's stored data is exactly as before.
func TestUsersOnlyTouchTheirOwnData(t *testing.T) {
	t.Parallel()
	clock := newClock(monday8)
	env := newEnv(t, clock)
	env.fake.AddUser(slackfake.User{ID: "U0ANA", TZ: "Europe/Berlin"})
	env.fake.AddUser(slackfake.User{ID: "U0BEN", TZ: "America/New_York"})
	tb := env.start(t, Config{})
	fake := env.fake

	// Ana: subscribed, a tip seen, a nudge with a reply and Done pressed.
	tb.slash(t, "U0ANA", "start mon,thu 08:45")
	_, tip := tb.slash(t, "U0ANA", "delegation")
	anaTip := ""
	for _, b := range slackfake.Buttons(tip.Blocks) {
		if b.ActionID == actionShareTip {
			anaTip = b.Value
		}
	}
	nudge, d := nudged(t, tb, clock, "U0ANA")
	sendEvent(t, fake, dmEvent("U0ANA", nudge.Channel, "1800000000.000100", nudge.TS, "Ana's private answer"), "EvANA")
	click(t, fake, slackfake.Click{UserID: "U0ANA", ActionID: actionNudgeDone, Blocks: nudge.Blocks, ChannelID: nudge.Channel, MessageTS: nudge.TS})
	waitFor(t, "Ana's Done recorded", func() bool {
		got, _ := tb.db.Delivery(context.Background(), "U0ANA", d.ID)
		return got.Outcome == storage.OutcomeDone
	})
	ana := snapshot(t, tb.db, "U0ANA")

	// Ben: every command.
	clock.Add(time.Second)
	for _, text := range []string{"", "help", "topics", "delegation", "start", "schedule tue 16:00", "pause 2w", "resume",
		"pause", "history", "nudge", "stop", "start", "digest", "digest off", "digest on", "export", "export U0ANA",
		"weekly", "weekly off", "weekly now", "forget", "U0ANA", "history U0ANA", "pause U0ANA", "forget U0ANA"} {
		_, resp := tb.slash(t, "U0BEN", text)
		if strings.Contains(visible(resp), "Ana's private answer") {
			t.Errorf("/lead-tip %s shows Ben Ana's reply", text)
		}
	}

	// Ben: every button, on Ana's nudge and with crafted values.
	anaID := fmt.Sprint(d.ID)
	values := []string{anaID, "", "abc", "-1", "0", "99999999999999999999", anaID + " OR 1=1", "U0ANA", "<!channel>",
		strings.Repeat("9", 40000), "delegation|" + anaTip, anaTip, "|", "delegation|<!channel>"}
	actions := []string{actionNudgeDone, actionNudgeNotYet, actionNudgeSkip, actionAnotherTip, actionShareTip, actionTipUp, actionTipDown, actionTipTopic + "0",
		actionHomeStart, actionHomePause, actionHomeResume, actionHomeSchedule, actionHomeTip, actionForgetConfirm, actionForgetCancel}
	var ids []string
	for _, action := range actions {
		for _, v := range values {
			id, err := fake.ClickButton(testCtx(t), slackfake.Click{UserID: "U0BEN", ActionID: action, Blocks: buttonBlocks(action, v),
				ChannelID: nudge.Channel, MessageTS: nudge.TS})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
	}
	for _, id := range ids {
		if _, err := fake.WaitAck(testCtx(t), id); err != nil {
			t.Errorf("press not acknowledged: %v", err)
		}
	}
	// Ben: the schedule form, which carries nobody's id but the sender's.
	viewSubmission(t, fake, "U0BEN", []string{"1", "3"}, "07:15")
	if err := tb.stop(); err != nil { // waits for every handler to finish
		t.Fatal(err)
	}

	if got := snapshot(t, tb.db, "U0ANA"); !reflect.DeepEqual(got, ana) {
		t.Errorf("Ana's data changed:\nbefore %+v\nafter  %+v", ana, got)
	}
	for _, p := range fake.ResponsePosts() {
		if strings.Contains(string(p.Body), "Ana's private answer") {
			t.Errorf("an answer to Ben shows Ana's reply: %s", clip(string(p.Body), 200))
		}
		if p.ResponseType == "in_channel" && !strings.Contains(slackfake.VisibleText(p.Text, p.Blocks), "<@U0BEN>") {
			t.Errorf("a shared tip does not name Ben as who shared it:\n%s", slackfake.VisibleText(p.Text, p.Blocks))
		}
	}
	for _, m := range fake.Messages(nudge.Channel) {
		if m.TS == nudge.TS && !strings.Contains(slackfake.VisibleText(m.Text, m.Blocks), "Done") {
			t.Errorf("Ana's nudge message was changed by Ben's presses:\n%s", slackfake.VisibleText(m.Text, m.Blocks))
		}
	}
	for _, f := range fake.Files() {
		if f.Channel != "DU0BEN" || strings.Contains(string(f.Content), "Ana's private answer") || strings.Contains(string(f.Content), "U0ANA") {
			t.Errorf("Ben's export %s in %s holds Ana's data or went elsewhere", f.Name, f.Channel)
		}
	}
	// "export U0ANA" is a question, not an export: only "export" uploads.
	if len(fake.Files()) != 1 {
		t.Errorf("%d exports uploaded for Ben, want 1", len(fake.Files()))
	}
	// Ben's own presses did act on Ben: forget deleted what he had.
	if ds, _ := tb.db.Deliveries(context.Background(), "U0BEN", 10); len(ds) != 0 {
		t.Errorf("Ben's forget left %d of his deliveries", len(ds))
	}
}
