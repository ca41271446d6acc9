package bot

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/leadcoach/leadbot/bot/slackfake"
	"github.com/leadcoach/leadbot/bot/socket"
	"github.com/leadcoach/leadbot/storage"
)

// nudged sends user a nudge with /lead-tip nudge (moving the clock on a
// second first, so each call is a new delivery) and returns its message
// and its delivery.
func nudged(t *testing.T, tb *testBot, clock *testClock, user string) (slackfake.Message, storage.Delivery) {
	t.Helper()
	clock.Add(time.Second)
	if _, resp := tb.slash(t, user, "nudge"); !strings.Contains(visible(resp), "Sent") {
		t.Fatalf("nudge reply: %s", visible(resp))
	}
	msgs := nudgeMessages(tb.fake, user)
	ds, err := tb.db.Deliveries(context.Background(), user, 1)
	if err != nil || len(msgs) == 0 || len(ds) == 0 {
		t.Fatalf("no nudge for %s: %v", user, err)
	}
	return msgs[len(msgs)-1], ds[0]
}

// spoofing is what must never reach Slack from user input unescaped: it
// would ping people or disguise a link.
var spoofing = []string{"<!channel>", "<!here>", "<!everyone>", "<@U123>", "<https://evil|bank>", "<#C0GENERAL>"}

// TestWeirdRepliesStoredAndNeverEchoed: replies of 40,000 characters,
// invalid UTF-8, zero-width and right-to-left characters, mrkdwn and
// special mentions are stored exactly as Slack delivered them, the
// thank-you never repeats them, and history and the Home tab show them
// escaped.
func TestWeirdRepliesStoredAndNeverEchoed(t *testing.T) {
	t.Parallel()
	clock := newClock(monday8)
	env := newEnv(t, clock)
	env.fake.AddUser(slackfake.User{ID: "U0ANA", TZ: "Europe/Berlin"})
	tb := env.start(t, Config{})

	long := strings.Repeat("I delegated the release and stayed out of it. ", 900)[:40000]
	// Each text is a JSON string literal as it appears in the event, so
	// that bytes json.Marshal would clean up reach the bot as they are.
	tests := []struct {
		name    string
		literal string
		hidden  []string // must not appear in the thank-you
	}{
		{"40,000 characters", mustQuote(long), []string{long[:60]}},
		{"invalid UTF-8", "\"bad \xff\xfe\xc3\x28 bytes and a lone surrogate \\ud800\"", nil},
		{"zero-width", mustQuote("it\u200bwent\u200c\u200dfine\ufeff"), []string{"\u200b", "\u200c", "\ufeff"}},
		{"right-to-left", mustQuote("\u202egnippoh\u202c and \u2067RTL\u2069"), []string{"\u202e", "\u2067"}},
		{"mrkdwn and mentions", mustQuote("told <!channel> <!here> <!everyone> and <@U123>: see <https://evil|bank> <#C0GENERAL> *now* & `rm`"), spoofing},
	}
	for i, tt := range tests {
		nudge, d := nudged(t, tb, clock, "U0ANA")
		var want string
		if err := json.Unmarshal([]byte(tt.literal), &want); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		ts := "1800000000.00010" + string(rune('0'+i))
		event := json.RawMessage(`{"type":"message","channel":"` + nudge.Channel + `","user":"U0ANA","text":` + tt.literal +
			`,"ts":"` + ts + `","event_ts":"` + ts + `","thread_ts":"` + nudge.TS + `","channel_type":"im"}`)
		sendEvent(t, env.fake, event, "EvWEIRD"+string(rune('A'+i)))

		rs, err := tb.db.Replies(context.Background(), "U0ANA", d.ID)
		if err != nil || len(rs) != 1 {
			t.Fatalf("%s: %d replies stored, %v; want 1", tt.name, len(rs), err)
		}
		if rs[0].Text != want {
			t.Errorf("%s: stored %q (%d bytes), want %q (%d bytes)", tt.name, clip(rs[0].Text, 40), len(rs[0].Text), clip(want, 40), len(want))
		}
		waitFor(t, tt.name+": the thank-you", func() bool { return len(threadMessages(env.fake, nudge.Channel, nudge.TS)) == 1 })
		thanks := threadMessages(env.fake, nudge.Channel, nudge.TS)[0]
		shown := thanks.Text + "\n" + slackfake.VisibleText(thanks.Text, thanks.Blocks)
		for _, h := range append(tt.hidden, spoofing...) {
			if strings.Contains(shown, h) {
				t.Errorf("%s: the thank-you contains %q", tt.name, h)
			}
		}
	}

	_, resp := tb.slash(t, "U0ANA", "history")
	h := visible(resp) + string(resp.Body)
	for _, s := range spoofing {
		if strings.Contains(h, s) {
			t.Errorf("history shows %q unescaped", s)
		}
	}
	for _, want := range []string{"&lt;!channel&gt;", "&lt;@U123&gt;", "&lt;https://evil|bank&gt;", "&amp;"} {
		if !strings.Contains(h, want) {
			t.Errorf("history lacks the escaped %q", want)
		}
	}

	// The Home tab shows the last reflections: escaped too.
	sendEvent(t, env.fake, map[string]any{"type": "app_home_opened", "user": "U0ANA", "channel": "DU0ANA", "tab": "home", "event_ts": "1.1"}, "EvWEIRDHOME")
	home, _ := waitHome(t, env.fake, "U0ANA", "&lt;!channel&gt;")
	for _, s := range spoofing {
		if strings.Contains(home, s) {
			t.Errorf("the Home tab shows %q unescaped", s)
		}
	}
}

func mustQuote(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// TestCommandInputNeverEchoedRaw: what a user types after /lead-tip is
// never repeated unescaped, even to themselves.
func TestCommandInputNeverEchoedRaw(t *testing.T) {
	t.Parallel()
	env := newEnv(t, nil)
	env.fake.AddUser(slackfake.User{ID: "U0ANA", TZ: "Europe/Berlin"})
	tb := env.start(t, Config{})
	for _, text := range []string{
		"schedule <!channel> 9am", "start <@U123>", "pause <https://evil|bank>", "pause until <!here>",
		"<!channel> how do I delegate", "schedule mon \u202e9am", strings.Repeat("x", 40000),
	} {
		_, resp := tb.slash(t, "U0ANA", text)
		shown := visible(resp)
		for _, s := range spoofing {
			if strings.Contains(strings.ToLower(shown), strings.ToLower(s)) {
				t.Errorf("/lead-tip %s: the answer contains %q:\n%s", clip(text, 30), s, shown)
			}
		}
		if len(shown) > 5000 {
			t.Errorf("/lead-tip %s: a %d-byte answer", clip(text, 30), len(shown))
		}
	}
}

// TestEventsFromBotsAreNeverAnswered: messages from bots, including our own
// posts, thank-yous and edits, are acknowledged and ignored, so the bot
// can never talk to itself or another bot in a loop.
func TestEventsFromBotsAreNeverAnswered(t *testing.T) {
	t.Parallel()
	clock := newClock(monday8)
	env := newEnv(t, clock)
	env.fake.AddUser(slackfake.User{ID: "U0ANA", TZ: "Europe/Berlin"})
	tb := env.start(t, Config{})
	nudge, d := nudged(t, tb, clock, "U0ANA")
	ch := nudge.Channel
	events := map[string]map[string]any{
		"our own nudge": {"type": "message", "channel": ch, "channel_type": "im", "user": "U0BOT", "bot_id": "B0BOT",
			"text": nudge.Text, "ts": nudge.TS},
		"our own message, no bot_id": {"type": "message", "channel": ch, "channel_type": "im", "user": "U0BOT",
			"text": "Thanks for telling me", "ts": "1800000000.000201", "thread_ts": nudge.TS},
		"bot_message subtype": {"type": "message", "subtype": "bot_message", "channel": ch, "channel_type": "im",
			"bot_id": "B0OTHER", "username": "other", "text": "<!channel> hello", "ts": "1800000000.000202"},
		"another bot in the thread": {"type": "message", "channel": ch, "channel_type": "im", "user": "U0OTHERBOT",
			"bot_id": "B0OTHER", "text": "I am a bot", "ts": "1800000000.000203", "thread_ts": nudge.TS},
		"our own edit": {"type": "message", "subtype": "message_changed", "channel": ch, "channel_type": "im", "ts": "1800000000.000204",
			"message": map[string]any{"type": "message", "user": "U0BOT", "bot_id": "B0BOT", "text": "Done.", "ts": nudge.TS}},
		"another bot's DM, no thread": {"type": "message", "channel": ch, "channel_type": "im", "user": "U0OTHERBOT",
			"bot_id": "B0OTHER", "text": "ping", "ts": "1800000000.000205"},
	}
	before := len(env.fake.Messages(""))
	i := 0
	for _, ev := range events {
		i++
		sendEvent(t, env.fake, ev, "EvBOT"+string(rune('A'+i)))
	}
	if err := tb.stop(); err != nil { // lets every handler finish whatever it does after the ack
		t.Fatal(err)
	}
	if n := len(env.fake.Messages("")); n != before {
		for _, m := range env.fake.Messages("")[before:] {
			t.Errorf("the bot answered a bot: %q in %s", clip(m.Text, 60), m.Channel)
		}
	}
	if n := replyCount(t, tb.db, "U0ANA", d.ID); n != 0 {
		t.Errorf("%d replies stored from bots, want 0", n)
	}
}

// TestMalformedEnvelopes: envelopes with missing fields, fields of the
// wrong type, unknown types, or for another workspace or app are logged
// and acknowledged; none crashes the bot or acts on anyone's data.
func TestMalformedEnvelopes(t *testing.T) {
	t.Parallel()
	clock := newClock(monday8)
	env := newEnv(t, clock)
	env.fake.AddUser(slackfake.User{ID: "U0ANA", TZ: "Europe/Berlin"})
	tb := env.start(t, Config{})
	tb.slash(t, "U0ANA", "start")
	nudge, d := nudged(t, tb, clock, "U0ANA")
	ctx := testCtx(t)
	url := env.fake.NewResponseURL()

	thread := func(team, app, user string) map[string]any {
		ev := map[string]any{"type": "message", "channel": nudge.Channel, "channel_type": "im", "text": "spoofed reply",
			"ts": "1800000000.000300", "event_ts": "1800000000.000300", "thread_ts": nudge.TS}
		if user != "" {
			ev["user"] = user
		}
		return map[string]any{"type": "event_callback", "team_id": team, "api_app_id": app, "event_id": "Ev" + team + app + user,
			"event_time": 1800000000, "event": ev}
	}
	command := func(team, app, user, text string) map[string]any {
		p := map[string]any{"command": "/lead-tip", "text": text, "team_id": team, "api_app_id": app, "response_url": url,
			"channel_id": "C0GENERAL", "trigger_id": "1.2.3"}
		if user != "" {
			p["user_id"] = user
		}
		return p
	}
	press := func(team, app, user string) map[string]any {
		p := map[string]any{"type": "block_actions", "team": map[string]any{"id": team}, "api_app_id": app, "response_url": url,
			"container": map[string]any{"type": "message", "channel_id": nudge.Channel, "message_ts": nudge.TS},
			"channel":   map[string]any{"id": nudge.Channel}, "trigger_id": "1.2.3",
			"actions": []map[string]any{{"action_id": actionNudgeSkip, "block_id": "b", "type": "button", "value": strconv.FormatInt(d.ID, 10)}}}
		if user != "" {
			p["user"] = map[string]any{"id": user, "team_id": team}
		}
		return p
	}
	tests := []struct {
		name, typ string
		payload   any
	}{
		{"command without a user", "slash_commands", command("T0LEAD", "A0LEAD", "", "stop")},
		{"button without a user", "interactive", press("T0LEAD", "A0LEAD", "")},
		{"reply without a user", "events_api", thread("T0LEAD", "A0LEAD", "")},
		{"command for another workspace", "slash_commands", command("T0OTHER", "A0LEAD", "U0ANA", "stop")},
		{"button for another workspace", "interactive", press("T0OTHER", "A0LEAD", "U0ANA")},
		{"reply for another workspace", "events_api", thread("T0OTHER", "A0LEAD", "U0ANA")},
		{"command for another app", "slash_commands", command("T0LEAD", "A0OTHER", "U0ANA", "stop")},
		{"button for another app", "interactive", press("T0LEAD", "A0OTHER", "U0ANA")},
		{"reply for another app", "events_api", thread("T0LEAD", "A0OTHER", "U0ANA")},
		{"command payload a string", "slash_commands", "stop"},
		{"interactive payload a number", "interactive", 42},
		{"events payload an array", "events_api", []int{1, 2}},
		{"event text a number", "events_api", map[string]any{"type": "event_callback", "event_id": "EvNUM",
			"event": map[string]any{"type": "message", "channel_type": "im", "user": "U0ANA", "text": 5, "channel": nudge.Channel}}},
		{"event without an event", "events_api", map[string]any{"type": "event_callback", "event_id": "EvNONE"}},
		{"unknown event type", "events_api", map[string]any{"type": "event_callback", "event_id": "EvNEW",
			"event": map[string]any{"type": "brand_new_event", "user": "U0ANA"}}},
		{"unknown outer type", "events_api", map[string]any{"type": "brand_new_callback"}},
		{"unknown envelope type", "brand_new_envelope", map[string]any{"user_id": "U0ANA"}},
		{"null payload", "slash_commands", nil},
	}
	for _, tt := range tests {
		id, err := env.fake.SendEnvelope(ctx, tt.typ, tt.payload, false)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if _, err := env.fake.WaitAck(ctx, id); err != nil {
			t.Errorf("%s: not acknowledged: %v", tt.name, err)
		}
	}
	if _, resp := tb.slash(t, "U0ANA", "help"); !strings.Contains(visible(resp), "/lead-tip topics") {
		t.Error("the bot no longer answers")
	}
	if err := tb.stop(); err != nil { // lets every handler finish whatever it does after the ack
		t.Fatal(err)
	}

	sub, err := tb.db.Subscription(ctx, "U0ANA")
	if err != nil || sub.Status != storage.StatusActive {
		t.Errorf("Ana's subscription = %q, %v; want still active", sub.Status, err)
	}
	got, _ := tb.db.Delivery(ctx, "U0ANA", d.ID)
	if got.Outcome != storage.OutcomeNone {
		t.Errorf("Ana's nudge outcome = %q, want none", got.Outcome)
	}
	if n := replyCount(t, tb.db, "U0ANA", d.ID); n != 0 {
		t.Errorf("%d replies stored, want 0", n)
	}
	if _, err := tb.db.User(ctx, ""); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("a user with no id was stored (err %v)", err)
	}
	if n := answers(env.fake, url); n != 0 {
		t.Errorf("%d answers to refused envelopes, want 0", n)
	}
	for _, want := range []string{"envelope ignored: " + socket.RefusedTeam, "envelope ignored: " + socket.RefusedApp, "envelope ignored: " + socket.RefusedUser} {
		if !strings.Contains(tb.logs.String(), want) {
			t.Errorf("logs lack %q", want)
		}
	}
	if strings.Contains(tb.logs.String(), "handler panicked") {
		t.Errorf("a handler panicked:\n%s", tb.logs)
	}
}
