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
		{"HELP me", command{verb: verbHelp, args: []string{"me"}}},
		{"?", command{verb: verbHelp, args: []string{}}},
		{"topics", command{verb: verbTopics, args: []string{}}},
		{"delegation", command{query: "delegation"}},
		{"  my team\tmisses\u00a0deadlines ", command{query: "my team misses deadlines"}},
		{"helping my team", command{query: "helping my team"}},
		{"???", command{verb: verbHelp, unclear: true}},
		{"-- <> !!", command{verb: verbHelp, unclear: true}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got := parseCommand(tt.text)
			if got.verb != tt.want.verb || got.query != tt.want.query || got.unclear != tt.want.unclear || strings.Join(got.args, " ") != strings.Join(tt.want.args, " ") {
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

// A bot token Slack refuses stops the bot with ErrAuth naming the variable,
// instead of retrying for ever.
func TestRevokedBotToken(t *testing.T) {
	err := runWithTokens(t, "xoxb-revoked", "xapp-test")
	if !errors.Is(err, ErrAuth) || !strings.Contains(err.Error(), "SLACK_BOT_TOKEN") {
		t.Errorf("Run = %v, want ErrAuth naming SLACK_BOT_TOKEN", err)
	}
}

// An app token Slack refuses when opening the Socket Mode connection stops
// the bot with ErrAuth naming SLACK_APP_TOKEN.
func TestRefusedAppToken(t *testing.T) {
	err := runWithTokens(t, "xoxb-test", "xapp-refused")
	if !errors.Is(err, ErrAuth) || !strings.Contains(err.Error(), "SLACK_APP_TOKEN") {
		t.Errorf("Run = %v, want ErrAuth naming SLACK_APP_TOKEN", err)
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
	lib, _ := prompts.Load()
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
