package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leadcoach/leadbot/bot/slackfake"
)

// TestCheck runs "leadbot check" end to end against the fake Slack: every
// step reports OK or FAIL with what to fix, and the exit status is 0 only
// when all passed. No output ever holds a token.
func TestCheck(t *testing.T) {
	all := strings.Fields(requiredScopes)
	var someMissing []string
	for _, s := range all {
		if s != "files:write" && s != "im:history" {
			someMissing = append(someMissing, s)
		}
	}
	tests := []struct {
		name     string
		scopes   []string
		vars     map[string]string // overrides
		wantCode int
		want     []string // lines (or parts of lines) the report must hold
	}{
		{"all good", all, nil, 0, []string{
			"OK    configuration: Slack API http://",
			"OK    bot token (auth.test): workspace T0LEAD, bot user U0BOT",
			fmt.Sprintf("OK    bot token scopes: all %d", len(all)),
			"OK    app token (apps.connections.open)",
			"OK    database: ",
			"all checks passed",
		}},
		{"revoked bot token", all, map[string]string{"SLACK_BOT_TOKEN": "xoxb-revoked"}, 1, []string{
			"FAIL  bot token (auth.test): Slack refused SLACK_BOT_TOKEN (token_revoked): reinstall the app",
			"SKIP  bot token scopes: needs bot token (auth.test)",
			"OK    app token",
			"OK    database",
		}},
		{"missing scopes", someMissing, nil, 1, []string{
			"OK    bot token (auth.test)",
			"FAIL  bot token scopes: missing im:history, files:write: add them under OAuth & Permissions",
		}},
		{"revoked app token", all, map[string]string{"SLACK_APP_TOKEN": "xapp-revoked"}, 1, []string{
			"OK    bot token scopes",
			"FAIL  app token (apps.connections.open): Slack refused SLACK_APP_TOKEN (token_revoked)",
		}},
		{"no bot token", all, map[string]string{"SLACK_BOT_TOKEN": ""}, 1, []string{
			"FAIL  configuration: SLACK_BOT_TOKEN is not set",
			"SKIP  bot token (auth.test)",
			"OK    database",
		}},
		{"no tokens at all", all, map[string]string{"SLACK_BOT_TOKEN": "", "SLACK_APP_TOKEN": ""}, 1, []string{
			"FAIL  configuration: SLACK_APP_TOKEN is not set",
			"; SLACK_BOT_TOKEN is not set",
			"OK    database",
		}},
		{"placeholder tokens", all, map[string]string{"SLACK_BOT_TOKEN": "xoxb-...", "SLACK_APP_TOKEN": "xapp-<your-app-token>"}, 1, []string{
			"FAIL  configuration: SLACK_APP_TOKEN is a placeholder from an example, not a token",
			"; SLACK_BOT_TOKEN is a placeholder from an example, not a token",
			"SKIP  bot token (auth.test)",
			"OK    database",
		}},
		{"database in a missing directory", all, map[string]string{"LEADBOT_DB": "/nonexistent/dir/leadbot.db"}, 1, []string{
			"OK    bot token scopes",
			"FAIL  database: ",
			"set LEADBOT_DB to a file in a directory that exists and that the bot may write to",
		}},
		{"API URL without /api/", all, map[string]string{"SLACK_API_URL": "http://127.0.0.1:1"}, 1, []string{
			"FAIL  configuration: SLACK_API_URL must end in /api/",
			"OK    database",
		}},
		{"health endpoint off", all, map[string]string{"LEADBOT_ADDR": "off"}, 0, []string{
			"leadbot.db, /healthz and /metrics off",
		}},
		{"Slack unreachable", all, map[string]string{"SLACK_API_URL": "http://127.0.0.1:1/api/"}, 1, []string{
			"FAIL  bot token (auth.test): cannot reach Slack",
			"check SLACK_API_URL",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, err := slackfake.New(slackfake.Options{Scopes: tt.scopes})
			if err != nil {
				t.Fatal(err)
			}
			defer fake.Close()
			vars := map[string]string{
				"SLACK_APP_TOKEN": testAppToken,
				"SLACK_BOT_TOKEN": testBotToken,
				"SLACK_API_URL":   fake.APIURL(),
				"LEADBOT_DB":      filepath.Join(t.TempDir(), "leadbot.db"),
			}
			for k, v := range tt.vars {
				vars[k] = v
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			var stdout, stderr bytes.Buffer
			err = run(ctx, []string{"leadbot", "check"}, env(vars), &stdout, &stderr)
			code := exitCode(err, &stderr)
			out := stdout.String()
			if code != tt.wantCode {
				t.Errorf("exit status %d, want %d\n%s%s", code, tt.wantCode, out, stderr.String())
			}
			for _, want := range tt.want {
				if !strings.Contains(out, want) {
					t.Errorf("report lacks %q:\n%s", want, out)
				}
			}
			if tt.wantCode != 0 && !strings.Contains(stderr.String(), "checks failed") {
				t.Errorf("stderr = %q, want the count of failed checks", stderr.String())
			}
			for _, secret := range []string{"TESTAPPSECRET", "TESTBOTSECRET"} {
				if strings.Contains(out+stderr.String(), secret) {
					t.Error("output holds a token")
				}
			}
		})
	}
}
