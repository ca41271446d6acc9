package main

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/leadcoach/leadbot/storage"
)

// env returns a getenv over a fixed map.
func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestConfigErrors(t *testing.T) {
	secretFile := filepath.Join(t.TempDir(), "app-token")
	if err := os.WriteFile(secretFile, []byte("xapp-from-file-SECRET\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		vars map[string]string
		want string // the variable the one-line error must name
	}{
		{"nothing set", nil, "SLACK_APP_TOKEN is not set"},
		{"nothing set names both", nil, "SLACK_BOT_TOKEN is not set"},
		{"README placeholders", map[string]string{"SLACK_APP_TOKEN": "xapp-...", "SLACK_BOT_TOKEN": "xoxb-..."},
			"SLACK_APP_TOKEN is a placeholder from an example, not a token: create an app-level token"},
		{"README placeholders, bot token", map[string]string{"SLACK_APP_TOKEN": "xapp-...", "SLACK_BOT_TOKEN": "xoxb-..."},
			"SLACK_BOT_TOKEN is a placeholder from an example, not a token: install the app"},
		{"template placeholder", map[string]string{"SLACK_APP_TOKEN": "xapp-SECRET", "SLACK_BOT_TOKEN": "xoxb-your-bot-token"},
			"SLACK_BOT_TOKEN is a placeholder"},
		{"bad token and missing token", map[string]string{"SLACK_APP_TOKEN": "xoxb-SECRET"}, "SLACK_BOT_TOKEN is not set"},
		{"bot token in app slot", map[string]string{"SLACK_APP_TOKEN": "xoxb-SECRET"}, "SLACK_APP_TOKEN must start with xapp-"},
		{"no bot token", map[string]string{"SLACK_APP_TOKEN": "xapp-SECRET"}, "SLACK_BOT_TOKEN is not set"},
		{"app token in bot slot", map[string]string{"SLACK_APP_TOKEN": "xapp-SECRET", "SLACK_BOT_TOKEN": "xapp-SECRET"}, "SLACK_BOT_TOKEN must start with xoxb-"},
		{"bad api url", map[string]string{"SLACK_APP_TOKEN": "xapp-SECRET", "SLACK_BOT_TOKEN": "xoxb-SECRET", "SLACK_API_URL": "slack.com"}, "SLACK_API_URL must be an http(s) URL"},
		{"api url without /api/", map[string]string{"SLACK_APP_TOKEN": "xapp-SECRET", "SLACK_BOT_TOKEN": "xoxb-SECRET", "SLACK_API_URL": "http://127.0.0.1:4000"},
			"SLACK_API_URL must end in /api/, where Slack's Web API methods are: set it to http://127.0.0.1:4000/api/"},
		{"api url with another path", map[string]string{"SLACK_APP_TOKEN": "xapp-SECRET", "SLACK_BOT_TOKEN": "xoxb-SECRET", "SLACK_API_URL": "https://slack.com/apis/"},
			"SLACK_API_URL must end in /api/, where Slack's Web API methods are, such as https://slack.com/api/"},
		{"bad log format", map[string]string{"SLACK_APP_TOKEN": "xapp-SECRET", "SLACK_BOT_TOKEN": "xoxb-SECRET", "LEADBOT_LOG_FORMAT": "xml"}, "LEADBOT_LOG_FORMAT"},
		{"bad log level", map[string]string{"SLACK_APP_TOKEN": "xapp-SECRET", "SLACK_BOT_TOKEN": "xoxb-SECRET", "LEADBOT_LOG_LEVEL": "loud"}, "LEADBOT_LOG_LEVEL"},
		{"token and file", map[string]string{"SLACK_APP_TOKEN": "xapp-SECRET", "SLACK_APP_TOKEN_FILE": secretFile}, "SLACK_APP_TOKEN and SLACK_APP_TOKEN_FILE are both set"},
		{"missing file", map[string]string{"SLACK_APP_TOKEN_FILE": "/nonexistent/SECRET"}, "SLACK_APP_TOKEN_FILE names a file that cannot be read"},
		{"file, no bot token", map[string]string{"SLACK_APP_TOKEN_FILE": secretFile}, "SLACK_BOT_TOKEN is not set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A configuration that passed by mistake would run the bot:
			// stop it soon, and keep its database out of the source tree.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			vars := map[string]string{"LEADBOT_DB": filepath.Join(t.TempDir(), "leadbot.db")}
			maps.Copy(vars, tt.vars)
			var stdout, stderr bytes.Buffer
			err := run(ctx, []string{"leadbot"}, env(vars), &stdout, &stderr)
			code := exitCode(err, &stderr)
			if code != 2 {
				t.Errorf("exit code = %d, want 2 (err %v)", code, err)
			}
			out := stderr.String()
			if !strings.Contains(out, tt.want) {
				t.Errorf("stderr = %q, want it to contain %q", out, tt.want)
			}
			if strings.Count(out, "\n") != 1 {
				t.Errorf("stderr has %d lines, want exactly one: %q", strings.Count(out, "\n"), out)
			}
			if strings.Contains(out, "SECRET") {
				t.Errorf("stderr leaks a token value: %q", out)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"leadbot", "--help"}, {"leadbot", "-h"}, {"leadbot", "help"}} {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), args, env(nil), &stdout, &stderr)
		if code := exitCode(err, &stderr); code != 0 {
			t.Errorf("%v: exit code %d", args, code)
		}
		for _, want := range []string{"tip", "topics", "SLACK_APP_TOKEN", "SLACK_BOT_TOKEN", "SLACK_API_URL", "LEADBOT_DB"} {
			if !strings.Contains(stdout.String(), want) {
				t.Errorf("%v: help does not mention %s", args, want)
			}
		}
	}
}

func TestUnknownCommand(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"leadbot", "frobnicate"}, env(nil), &stdout, &stderr)
	if code := exitCode(err, &stderr); code != 2 {
		t.Errorf("exit code = %d, want 2", code)
	}
	if !strings.Contains(stderr.String(), "--help") {
		t.Errorf("stderr = %q, want a pointer to --help", stderr.String())
	}
}

func TestTipCommand(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"leadbot", "tip"}, "from"},
		{[]string{"leadbot", "tip", "delegation"}, "Delegation"},
		{[]string{"leadbot", "tip", "zebra", "quantum"}, "Not sure: no tip fits those words well."},
		{[]string{"leadbot", "tip", "zebra", "quantum"}, "Closest topics: delegation, feedback"},
		{[]string{"leadbot", "tip", "delegation"}, "Not quite? Try: "},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), tt.args, env(nil), &stdout, &stderr)
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			if !strings.Contains(stdout.String(), tt.want) {
				t.Errorf("stdout = %q, want it to contain %q", stdout.String(), tt.want)
			}
		})
	}
}

// The text output names the article by its title only; the file it is kept
// in is for --json.
func TestTipNamesArticleWithoutFile(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"leadbot", "tip", "delegation"}, env(nil), &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), "· from \"") {
		t.Errorf("stdout lacks the article title:\n%s", stdout.String())
	}
	if regexp.MustCompile(`\.txt|[0-9a-f]{16}`).MatchString(stdout.String()) {
		t.Errorf("stdout shows the article's file name:\n%s", stdout.String())
	}
}

// TestTipJSON checks the JSON answer, with --json before or after the
// words: the tip's fields when it matched, and always whether it did, the
// score and the alternative topics, best first.
func TestTipJSON(t *testing.T) {
	type answer struct {
		ID, Topic, Text string
		Source          *struct{ Title, File string }
		Matched         bool
		Score           float64
		Alternatives    []string
	}
	tests := []struct {
		args    []string
		matched bool
		topic   string
	}{
		{[]string{"--json", "delegation"}, true, "delegation"},
		{[]string{"delegation", "--json"}, true, "delegation"},
		{[]string{"how", "do", "i", "--json", "delegate", "more"}, true, "delegation"},
		{[]string{"zebra", "quantum", "banana", "-json"}, false, ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if err := run(context.Background(), append([]string{"leadbot", "tip"}, tt.args...), env(nil), &stdout, &stderr); err != nil {
				t.Fatal(err)
			}
			var got answer
			if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
				t.Fatalf("output is not one JSON object: %v\n%s", err, stdout.String())
			}
			if got.Matched != tt.matched || got.Topic != tt.topic || len(got.Alternatives) < 2 || got.Score < 0 || got.Score > 1 {
				t.Errorf("tip --json = %+v, want matched %v, topic %q, 2 or 3 alternatives, a score from 0 to 1", got, tt.matched, tt.topic)
			}
			if tt.matched && (got.ID == "" || got.Text == "" || got.Source == nil || got.Source.File == "") {
				t.Errorf("a matched answer lacks the tip: %+v", got)
			}
			if !tt.matched && (got.ID != "" || got.Source != nil) {
				t.Errorf("an answer that did not match carries a tip: %s", stdout.String())
			}
			for _, alt := range got.Alternatives {
				if alt == got.Topic {
					t.Errorf("alternative %s repeats the answer's topic", alt)
				}
			}
		})
	}
	// A question that begins with a dash is still a question after "--".
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"leadbot", "tip", "--json", "--", "-delegation"}, env(nil), &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), `"topic": "delegation"`) {
		t.Errorf("tip -- -delegation = %s", stdout.String())
	}
}

// TestRatingsCommand lists the tips rated least helpful first, from the
// database, without any Slack token.
func TestRatingsCommand(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "leadbot.db")
	var stdout, stderr bytes.Buffer
	getenv := env(map[string]string{"LEADBOT_DB": path})
	if err := run(ctx, []string{"leadbot", "ratings"}, getenv, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), "No tip has been rated yet") {
		t.Errorf("ratings on an empty database = %q", stdout.String())
	}
	db, err := storage.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []struct {
		user, tip string
		up        bool
	}{{"U1", "delegation-whole-outcome", true}, {"U2", "delegation-whole-outcome", true},
		{"U1", "feedback-make-it-routine", false}, {"U2", "feedback-make-it-routine", true}, {"U3", "gone-tip", false}} {
		if err := db.RecordTipVote(ctx, v.user, v.tip, v.up); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	stdout.Reset()
	if err := run(ctx, []string{"leadbot", "ratings", "--top", "2"}, getenv, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "gone-tip") || !strings.Contains(lines[1], "no longer in the library") ||
		!strings.HasPrefix(lines[2], "feedback-make-it-routine") || !strings.Contains(lines[2], "50%") {
		t.Errorf("ratings --top 2 =\n%s", stdout.String())
	}
	if err := run(ctx, []string{"leadbot", "ratings", "extra"}, getenv, &stdout, &stderr); err == nil {
		t.Error("ratings with an argument: no error")
	}
}

func TestTopicsCommand(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"leadbot", "topics"}, env(nil), &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"delegation", "technical-balance", "career-path"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("topics output lacks %s", want)
		}
	}
}
