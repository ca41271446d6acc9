package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// usage is printed by "leadbot --help".
const usage = `leadbot: Lead Coach, a Slack bot that coaches new managers.

Usage:
  leadbot [run]              connect to Slack (Socket Mode) and serve
  leadbot check              check the configuration, both tokens, the bot
                             token's scopes and the database; exit 1 if not OK
  leadbot health             ask a running bot's /healthz (on LEADBOT_ADDR);
                             exit 1 unless healthy (for container health checks)
  leadbot tip [--json] [QUERY]
                             print a tip, the best match for QUERY if given
  leadbot topics             list the topics you can ask about
  leadbot ratings [--top N]  the tips rated least helpful (Helpful? buttons),
                             from LEADBOT_DB, to see which content to improve
  leadbot season [--former-peers] [--managed-before] [--started-weeks-ago N] [--weeks N]
                             print the nudges a simulated manager gets over a
                             season, by the programme's real rule (docs/season.md)
  leadbot demo               play a week of Lead Coach against a built-in fake
                             Slack and print the conversation (no workspace needed)
  leadbot help               show this help

Environment (for run, check, health and ratings):
  SLACK_APP_TOKEN     app-level token, xapp-... (scope connections:write)
  SLACK_BOT_TOKEN     bot token, xoxb-...
  SLACK_APP_TOKEN_FILE, SLACK_BOT_TOKEN_FILE
                      read the token from a file instead (Docker secrets)
  SLACK_API_URL       Slack Web API base URL, ending in /api/ (default
                      https://slack.com/api/; tests point it at a fake Slack)
  LEADBOT_DB          SQLite database file (default leadbot.db)
  LEADBOT_CATCHUP     how late a missed nudge or team prompt may still be
                      sent (default 2h; 0 never sends late)
  LEADBOT_SEND_RATE   Slack calls per second when sending nudges (default 20)
  LEADBOT_ADDR        where /healthz and /metrics are served (default
                      127.0.0.1:8080; :8080 in the Docker image; off)
  LEADBOT_ADMINS      Slack user ids, comma-separated, who may change or turn
                      off any channel's weekly prompt (default none)
  LEADBOT_LOG_FORMAT  text (default) or json
  LEADBOT_LOG_LEVEL   debug, info (default), warn or error
`

// usageError is a mistake in the command line; it exits with status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// run is the whole program, with its inputs passed in so tests can run it.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("leadbot", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			return nil
		}
		return usageError{err.Error() + " (see leadbot --help)"}
	}
	rest := fs.Args()
	sub := ""
	if len(rest) > 0 {
		sub, rest = rest[0], rest[1:]
	}
	switch sub {
	case "", "run":
		return serve(ctx, getenv, stderr)
	case "check":
		if len(rest) > 0 {
			return usageError{"check takes no arguments (see leadbot --help)"}
		}
		return checkCommand(ctx, getenv, stdout)
	case "health":
		if len(rest) > 0 {
			return usageError{"health takes no arguments (see leadbot --help)"}
		}
		return healthCommand(ctx, getenv, stdout)
	case "tip":
		return tipCommand(rest, stdout)
	case "topics":
		return topicsCommand(stdout)
	case "ratings":
		return ratingsCommand(ctx, rest, getenv, stdout)
	case "season":
		return seasonCommand(rest, stdout)
	case "demo":
		return demoCommand(ctx, stdout)
	case "help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		return usageError{fmt.Sprintf("unknown command %q (see leadbot --help)", sub)}
	}
}

// exitCode reports err on w in one line and returns the process status:
// 0 for success, 2 for configuration or usage mistakes, 1 otherwise.
func exitCode(err error, w io.Writer) int {
	if err == nil || errors.Is(err, context.Canceled) {
		return 0
	}
	fmt.Fprintln(w, "leadbot: "+strings.ReplaceAll(err.Error(), "\n", "; "))
	var ce configError
	var ue usageError
	if errors.As(err, &ce) || errors.As(err, &ue) {
		return 2
	}
	return 1
}
