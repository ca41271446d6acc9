package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// config is everything leadbot reads from the environment.
type config struct {
	appToken  string
	botToken  string
	apiURL    string // "" for Slack's own
	dbPath    string
	logFormat string
	logLevel  slog.Level
	catchup   time.Duration
	sendRate  float64
	addr      string   // health and metrics HTTP address; "" when off
	admins    []string // LEADBOT_ADMINS: may change any channel's weekly prompt
}

// configError names the variable that is wrong and how to fix it. Its text
// never includes a token.
type configError struct {
	name string
	msg  string
}

func (e configError) Error() string { return e.name + " " + e.msg }

// The two tokens: their variable, their prefix, and how to get one.
var (
	appToken = tokenVar{"SLACK_APP_TOKEN", "xapp-", "create an app-level token with the connections:write scope (Basic Information, App-Level Tokens)"}
	botToken = tokenVar{"SLACK_BOT_TOKEN", "xoxb-", "install the app to your workspace and copy the Bot User OAuth Token (OAuth & Permissions)"}
)

type tokenVar struct{ name, prefix, howTo string }

// loadConfig reads and checks the environment. It returns a configError for
// the first variable that is missing or malformed, except that a mistake
// in both tokens returns both (joined), so that one run names them all.
func loadConfig(getenv func(string) string) (config, error) {
	c := config{dbPath: "leadbot.db", logFormat: "text", catchup: 2 * time.Hour, sendRate: 20, addr: defaultAddr}
	var appErr, botErr, err error
	c.appToken, appErr = token(getenv, appToken)
	c.botToken, botErr = token(getenv, botToken)
	if err := errors.Join(appErr, botErr); err != nil {
		return c, err
	}
	if c.apiURL, err = apiURL(getenv("SLACK_API_URL")); err != nil {
		return c, err
	}
	if v := getenv("LEADBOT_DB"); v != "" {
		c.dbPath = v
	}
	switch v := strings.ToLower(getenv("LEADBOT_LOG_FORMAT")); v {
	case "", "text":
	case "json":
		c.logFormat = "json"
	default:
		return c, configError{"LEADBOT_LOG_FORMAT", "must be text or json"}
	}
	if v := getenv("LEADBOT_CATCHUP"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return c, configError{"LEADBOT_CATCHUP", "must be a duration such as 2h or 30m (how late a missed nudge may still be sent)"}
		}
		c.catchup = d
		if d == 0 {
			c.catchup = -1 // bot.Config: negative means no catch-up at all
		}
	}
	if v := getenv("LEADBOT_SEND_RATE"); v != "" {
		r, err := strconv.ParseFloat(v, 64)
		if err != nil || r <= 0 {
			return c, configError{"LEADBOT_SEND_RATE", "must be a positive number of Slack calls per second, such as 20"}
		}
		c.sendRate = r
	}
	if c.addr, err = httpAddr(getenv("LEADBOT_ADDR")); err != nil {
		return c, err
	}
	if c.admins, err = adminIDs(getenv("LEADBOT_ADMINS")); err != nil {
		return c, err
	}
	if v := getenv("LEADBOT_LOG_LEVEL"); v != "" {
		if err := c.logLevel.UnmarshalText([]byte(v)); err != nil {
			return c, configError{"LEADBOT_LOG_LEVEL", "must be debug, info, warn or error"}
		}
	}
	return c, nil
}

// token reads a token from t.name, or from the file named by t.name_FILE,
// and checks its prefix and that it is not a placeholder copied from an
// example. The token's value never appears in an error.
func token(getenv func(string) string, t tokenVar) (string, error) {
	name, prefix, howTo := t.name, t.prefix, t.howTo
	v := getenv(name)
	if file := getenv(name + "_FILE"); file != "" {
		if v != "" {
			return "", configError{name, "and " + name + "_FILE are both set: keep only one"}
		}
		b, err := os.ReadFile(file)
		if err != nil {
			return "", configError{name + "_FILE", fmt.Sprintf("names a file that cannot be read (%v)", pathError(err))}
		}
		v, name = string(b), name+"_FILE"
	}
	v = strings.TrimSpace(v)
	switch {
	case v == "":
		return "", configError{name, "is not set: " + howTo + ", then set " + strings.TrimSuffix(name, "_FILE") + "=" + prefix + "..."}
	case !strings.HasPrefix(v, prefix):
		return "", configError{name, "must start with " + prefix + ": " + howTo}
	case isPlaceholder(strings.TrimPrefix(v, prefix)):
		return "", configError{name, "is a placeholder from an example, not a token: " + howTo}
	}
	return v, nil
}

// apiURL checks SLACK_API_URL's value v and returns it ending in "/", or
// "" when it is not set. It returns a configError unless v is an http(s)
// URL whose path ends in /api/, where Slack's Web API methods are: without
// it every call gets 404, which the bot would retry for ever.
func apiURL(v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", configError{"SLACK_API_URL", "must be an http(s) URL such as https://slack.com/api/ (or leave it unset)"}
	}
	if path := strings.TrimSuffix(u.Path, "/"); !strings.HasSuffix(path, "/api") {
		fix := ", such as https://slack.com/api/ (or leave it unset)"
		if path == "" {
			fix = ": set it to " + u.Scheme + "://" + u.Host + "/api/"
		}
		return "", configError{"SLACK_API_URL", "must end in /api/, where Slack's Web API methods are" + fix}
	}
	if !strings.HasSuffix(v, "/") {
		v += "/" // slack-go appends method names to it
	}
	return v, nil
}

// pathError strips an *os.PathError down to its cause, so that the error
// message does not repeat the path.
func pathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
