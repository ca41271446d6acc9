package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/slack-go/slack"
)

// checkTimeout bounds each step of "leadbot check" that talks to Slack or
// the database.
const checkTimeout = 15 * time.Second

// checkFailed is returned by "leadbot check" when a step failed; it exits
// with status 1. The steps themselves say what to fix.
type checkFailed struct{ failed, skipped, total int }

func (e checkFailed) Error() string {
	msg := fmt.Sprintf("check: %d of %d checks failed", e.failed, e.total)
	if e.skipped > 0 {
		msg += fmt.Sprintf(", %d skipped", e.skipped)
	}
	return msg
}

// checkStep is one line of the report: a name, and a function returning
// what it found or an error saying what to fix. A step that depends on an
// earlier one is skipped when that one failed.
type checkStep struct {
	name  string
	needs string // the name of an earlier step this one needs, or ""
	run   func(ctx context.Context) (string, error)
}

// checkCommand runs "leadbot check": it validates the configuration, asks
// Slack who the bot token belongs to and which scopes it has, checks the
// app token, and opens the database, printing one OK or FAIL line per step
// on w. It returns checkFailed if any step failed.
func checkCommand(ctx context.Context, getenv func(string) string, w io.Writer) error {
	cfg, cfgErr := loadConfig(getenv)
	var api *slack.Client
	var scopes string // from auth.test's x-oauth-scopes header
	steps := []checkStep{
		{name: "configuration", run: func(context.Context) (string, error) {
			if cfgErr != nil {
				return "", cfgErr
			}
			api = slack.New(cfg.botToken, checkSlackOptions(cfg)...)
			return configSummary(cfg), nil
		}},
		{name: "bot token (auth.test)", needs: "configuration", run: func(ctx context.Context) (string, error) {
			resp, err := api.AuthTestContext(ctx)
			if err != nil {
				return "", slackFix(err, "SLACK_BOT_TOKEN",
					"reinstall the app (Install App) and set SLACK_BOT_TOKEN to its Bot User OAuth Token, xoxb-...")
			}
			scopes = resp.Header.Get("X-Oauth-Scopes")
			return fmt.Sprintf("workspace %s, bot user %s", resp.TeamID, resp.UserID), nil
		}},
		{name: "bot token scopes", needs: "bot token (auth.test)", run: func(context.Context) (string, error) {
			if strings.TrimSpace(scopes) == "" {
				return "", errors.New("Slack did not say which scopes the token has (no x-oauth-scopes header): is SLACK_API_URL Slack's API?")
			}
			if missing := missingScopes(scopes); len(missing) > 0 {
				return "", fmt.Errorf("missing %s: add them under OAuth & Permissions, Bot Token Scopes (manifest.yaml lists them all), then reinstall the app",
					strings.Join(missing, ", "))
			}
			return fmt.Sprintf("all %d that manifest.yaml asks for", len(strings.Fields(requiredScopes))), nil
		}},
		{name: "app token (apps.connections.open)", needs: "configuration", run: func(ctx context.Context) (string, error) {
			if _, _, err := api.StartSocketModeContext(ctx); err != nil {
				return "", slackFix(err, "SLACK_APP_TOKEN",
					"turn Socket Mode on, and generate an app-level token with the connections:write scope (Basic Information, App-Level Tokens)")
			}
			return "Socket Mode connections allowed", nil
		}},
		// The database needs no token: it is checked whatever the rest says.
		{name: "database", run: func(ctx context.Context) (string, error) {
			path := getenv("LEADBOT_DB")
			if path == "" {
				path = cfg.dbPath
			}
			return checkDatabase(ctx, path)
		}},
	}

	fmt.Fprintln(w, "leadbot check")
	failed := map[string]bool{} // failed or skipped
	skipped := 0
	for _, s := range steps {
		if s.needs != "" && failed[s.needs] {
			failed[s.name] = true
			skipped++
			fmt.Fprintf(w, "SKIP  %s: needs %s\n", s.name, s.needs)
			continue
		}
		sctx, cancel := context.WithTimeout(ctx, checkTimeout)
		detail, err := s.run(sctx)
		cancel()
		if err != nil {
			failed[s.name] = true
			fmt.Fprintf(w, "FAIL  %s: %s\n", s.name, strings.ReplaceAll(err.Error(), "\n", "; "))
			continue
		}
		fmt.Fprintf(w, "OK    %s: %s\n", s.name, detail)
	}
	if len(failed) > 0 {
		return checkFailed{failed: len(failed) - skipped, skipped: skipped, total: len(steps)}
	}
	fmt.Fprintln(w, "all checks passed: start the bot with `leadbot`, then type /lead-tip help in Slack.")
	fmt.Fprintln(w, "(Slack does not tell whether the /lead-tip command, events and interactivity are set up: creating the app from manifest.yaml sets them all.)")
	return nil
}

// checkSlackOptions is a Web API client for the check: no retries, so a
// refused token or an unreachable Slack is reported at once.
func checkSlackOptions(cfg config) []slack.Option {
	opts := []slack.Option{
		slack.OptionAppLevelToken(cfg.appToken),
		slack.OptionHTTPClient(&http.Client{Timeout: checkTimeout}),
	}
	if cfg.apiURL != "" {
		opts = append(opts, slack.OptionAPIURL(cfg.apiURL))
	}
	return opts
}

// configSummary says what the configuration points at; never the tokens.
func configSummary(cfg config) string {
	api := cfg.apiURL
	if api == "" {
		api = "https://slack.com/api/"
	}
	serve := "/healthz and /metrics off"
	if cfg.addr != "" {
		serve = "/healthz and /metrics on " + cfg.addr
	}
	return fmt.Sprintf("Slack API %s, database %s, %s", api, cfg.dbPath, serve)
}

// slackFix turns a Slack error into what to do about it. The error text
// slack-go gives never holds the token.
func slackFix(err error, variable, fix string) error {
	var se slack.SlackErrorResponse
	var rl *slack.RateLimitedError
	switch {
	case errors.As(err, &se):
		return fmt.Errorf("Slack refused %s (%w): %s", variable, se, fix)
	case errors.As(err, &rl):
		return fmt.Errorf("Slack is rate-limiting these calls (%w): try again in %s", err, rl.RetryAfter)
	default:
		return fmt.Errorf("cannot reach Slack (%w): check SLACK_API_URL and the network", err)
	}
}

// checkDatabase opens the database as the bot does (creating it and
// applying migrations if needed), checks that it answers, and closes it.
func checkDatabase(ctx context.Context, path string) (string, error) {
	db, err := openDatabase(ctx, path)
	if err != nil {
		return "", err
	}
	defer db.Close()
	if err := db.Ping(ctx); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return path + " opened, schema up to date, answers queries", nil
}
