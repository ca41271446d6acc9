package bot

import (
	"net/http"
	"time"

	"github.com/slack-go/slack"

	"github.com/leadcoach/leadbot/bot/socket"
)

// WebAPIConfig is how the bot's Slack Web API client is set up: see
// WebAPIOptions.
type WebAPIConfig struct {
	// AppToken is the app-level token (xapp-…) Socket Mode connects with.
	AppToken string
	// URL is the Web API's base URL, ending in "/"; "" for Slack's.
	URL string
	// Timeout bounds every call, including the reconnect jitter's wait
	// before apps.connections.open (socket.MaxReconnectJitter).
	Timeout time.Duration
	// Transport sends the requests (http.DefaultTransport when nil).
	Transport http.RoundTripper
	// Retries is how many times a failed call may be tried again:
	// DefaultRetries when 0, never when negative.
	Retries int
}

// DefaultRetries is how many times a failed Web API call may be tried
// again, when WebAPIConfig.Retries is 0.
const DefaultRetries = 4

// WebAPIOptions returns the options for slack.New that the bot's delivery
// path relies on: the base URL, the timeout, jitter before Socket Mode
// reconnects, and retries with slack-go's backoff of calls answered 429
// and of failed connections. The binary and the end-to-end tests both build
// their client with it, so that the tests test what runs.
func WebAPIOptions(cfg WebAPIConfig) []slack.Option {
	retry := slack.DefaultRetryConfig()
	retry.MaxRetries = cfg.Retries
	if cfg.Retries == 0 {
		retry.MaxRetries = DefaultRetries
	}
	retry.RetryAfterDuration = 5 * time.Second            // a 429 without Retry-After
	retry.Handlers = slack.AllBuiltinRetryHandlers(retry) // 429s and failed connections
	opts := []slack.Option{
		slack.OptionAppLevelToken(cfg.AppToken),
		slack.OptionHTTPClient(&http.Client{Timeout: cfg.Timeout, Transport: socket.ReconnectJitter(cfg.Transport)}),
		slack.OptionRetryConfig(retry), // after the HTTP client, which it wraps; none if MaxRetries < 0
	}
	if cfg.URL != "" {
		opts = append(opts, slack.OptionAPIURL(cfg.URL))
	}
	return opts
}
