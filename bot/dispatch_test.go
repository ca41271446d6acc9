package bot

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/leadcoach/leadbot/bot/slackfake"
	"github.com/leadcoach/leadbot/bot/socket"
	"github.com/leadcoach/leadbot/prompts"
	"github.com/leadcoach/leadbot/storage"
)

// A handler that panics is recovered: the envelope is still acknowledged,
// the user gets an apology, the panic is logged, and the bot goes on.
func TestHandlerPanicIsRecovered(t *testing.T) {
	broken := &prompts.Library{} // no index: answering a tip panics
	tb := newTestBot(t, Config{Library: broken})

	_, resp := tb.slash(t, "U1", "delegation")
	if !strings.Contains(visible(resp), "something went wrong on my side") {
		t.Errorf("reply after a panic = %q, want the apology", visible(resp))
	}
	if !strings.Contains(tb.logs.String(), "handler panicked") {
		t.Error("the panic was not logged")
	}
	// help does not touch the library: the bot still works.
	_, resp = tb.slash(t, "U1", "help")
	if !strings.Contains(visible(resp), "/lead-tip topics") {
		t.Errorf("help after a panic = %q", visible(resp))
	}
	if err := tb.stop(); err != nil {
		t.Errorf("Run after shutdown = %v, want nil", err)
	}
}

func TestParseCommand(t *testing.T) {
	tests := []struct {
		text string
		want command
	}{
		{"", command{}},
		{"   ", command{}},
		{"help", command{verb: verbHelp, args: []string{}}},
		{"HELP me", command{query: "HELP me", meant: verbHelp}},
		{"?", command{verb: verbHelp, args: []string{}}},
		{"topics", command{verb: verbTopics, args: []string{}}},
		{"delegation", command{query: "delegation"}},
		{"  my team\tmisses\u00a0deadlines ", command{query: "my team misses deadlines"}},
		{"helping my team", command{query: "helping my team"}},
		{"???", command{verb: verbHelp, unclear: true}},
		{"-- <> !!", command{verb: verbHelp, unclear: true}},

		// A question that starts with a command word is a question.
		{"stop micromanaging", command{query: "stop micromanaging", meant: verbStop}},
		{"start delegating", command{query: "start delegating", meant: verbStart}},
		{"schedule a 1:1 with my report", command{query: "schedule a 1:1 with my report", meant: verbSchedule}},
		{"help my team keeps missing deadlines", command{query: "help my team keeps missing deadlines", meant: verbHelp}},
		{"pause before answering in meetings", command{query: "pause before answering in meetings", meant: verbPause}},
		{"nudge my team to speak up", command{query: "nudge my team to speak up", meant: verbNudge}},
		{"history of my team's conflicts", command{query: "history of my team's conflicts", meant: verbHistory}},
		{"export my worries", command{query: "export my worries", meant: verbExport}},
		{"forget about work at the weekend", command{query: "forget about work at the weekend", meant: verbForget}},
		{"topics for a first 1:1", command{query: "topics for a first 1:1", meant: verbTopics}},
		{"resume writing for my team", command{query: "resume writing for my team", meant: verbResume}},
		{"digest feedback slowly", command{query: "digest feedback slowly", meant: verbDigest}},
		{"weekly 1:1s feel like status updates", command{query: "weekly 1:1s feel like status updates", meant: verbWeekly}},
		{"now that I manage my friends", command{query: "now that I manage my friends"}},
		{"unsubscribe me from drama", command{query: "unsubscribe me from drama", meant: verbStop}},

		// The commands themselves, with what they take.
		{"stop", command{verb: verbStop, args: []string{}}},
		{"start", command{verb: verbStart, args: []string{}}},
		{"start mon,thu 08:45", command{verb: verbStart, args: []string{"mon,thu", "08:45"}}},
		{"schedule weekdays 4:30pm", command{verb: verbSchedule, args: []string{"weekdays", "4:30pm"}}},
		{"pause", command{verb: verbPause, args: []string{}}},
		{"pause 2w", command{verb: verbPause, args: []string{"2w"}}},
		{"pause 3 weeks", command{verb: verbPause, args: []string{"3", "weeks"}}},
		{"pause until 2027-01-10", command{verb: verbPause, args: []string{"until", "2027-01-10"}}},
		{"pause until tomorrow", command{verb: verbPause, args: []string{"until", "tomorrow"}}},
		{"pause till Friday", command{verb: verbPause, args: []string{"till", "Friday"}}},
		{"pause until next week", command{verb: verbPause, args: []string{"until", "next", "week"}}},
		{"pause until 10 January", command{verb: verbPause, args: []string{"until", "10", "January"}}},
		{"pause until my team trusts me", command{query: "pause until my team trusts me", meant: verbPause}},
		{"digest off", command{verb: verbDigest, args: []string{"off"}}},
		{"DIGEST On", command{verb: verbDigest, args: []string{"On"}}},
		{"weekly", command{verb: verbWeekly, args: []string{}}},
		{"weekly fri 15:00", command{verb: verbWeekly, args: []string{"fri", "15:00"}}},
		{"weekly now", command{verb: verbWeekly, args: []string{"now"}}},
		{"weekly off", command{verb: verbWeekly, args: []string{"off"}}},
		{"weekly status", command{verb: verbWeekly, args: []string{"status"}}},
		{"weekly show", command{verb: verbWeekly, args: []string{"show"}}},

		// Arguments clearly meant for the command, but wrong: the command
		// answers with an example.
		{"schedule mon 25:00", command{verb: verbSchedule, args: []string{"mon", "25:00"}}},
		{"start friday at noonish", command{verb: verbStart, args: []string{"friday", "at", "noonish"}}},
		{"pause 3x", command{verb: verbPause, args: []string{"3x"}}},
		{"pause until 10/01/2027", command{verb: verbPause, args: []string{"until", "10/01/2027"}}},
		{"pause until friday", command{verb: verbPause, args: []string{"until", "friday"}}},
		{"weekly fri 3.30pm", command{verb: verbWeekly, args: []string{"fri", "3.30pm"}}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got := parseCommand(tt.text)
			if got.verb != tt.want.verb || got.query != tt.want.query || got.unclear != tt.want.unclear || got.meant != tt.want.meant ||
				strings.Join(got.args, " ") != strings.Join(tt.want.args, " ") {
				t.Errorf("parseCommand(%q) = %+v, want %+v", tt.text, got, tt.want)
			}
		})
	}
}

func TestEscape(t *testing.T) {
	tests := map[string]string{
		"<!channel> hi":         "&lt;!channel&gt; hi",
		"<@U123>":               "&lt;@U123&gt;",
		"<https://evil|bank>":   "&lt;https://evil|bank&gt;",
		"fish & chips":          "fish &amp; chips",
		"already &amp; escaped": "already &amp;amp; escaped",
		"plain":                 "plain",
	}
	for in, want := range tests {
		if got := escape(in); got != want {
			t.Errorf("escape(%q) = %q, want %q", in, got, want)
		}
	}
}

// A bot token Slack refuses stops the bot with socket.ErrAuth naming the variable,
// instead of retrying for ever.
func TestRevokedBotToken(t *testing.T) {
	err := runWithTokens(t, "xoxb-revoked", "xapp-test")
	if !errors.Is(err, socket.ErrAuth) || !strings.Contains(err.Error(), "SLACK_BOT_TOKEN") {
		t.Errorf("Run = %v, want socket.ErrAuth naming SLACK_BOT_TOKEN", err)
	}
}

// An app token Slack refuses when opening the Socket Mode connection stops
// the bot with socket.ErrAuth naming SLACK_APP_TOKEN.
func TestRefusedAppToken(t *testing.T) {
	err := runWithTokens(t, "xoxb-test", "xapp-refused")
	if !errors.Is(err, socket.ErrAuth) || !strings.Contains(err.Error(), "SLACK_APP_TOKEN") {
		t.Errorf("Run = %v, want socket.ErrAuth naming SLACK_APP_TOKEN", err)
	}
}

func runWithTokens(t *testing.T, botToken, appToken string) error {
	t.Helper()
	fake, err := slackfake.New(slackfake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	if appToken == "xapp-refused" {
		fake.FailConnectionsOpen(1000, "invalid_auth")
	}
	db, err := storage.Open(context.Background(), filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	lib := testLibrary(t)
	api := slack.New(botToken, slack.OptionAppLevelToken(appToken), slack.OptionAPIURL(fake.APIURL()))
	b, err := New(Config{Socket: socketmode.New(api), API: api, Store: db, Library: lib})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- b.Run(testCtx(t)) }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return")
		return nil
	}
}
