package bot

import (
	"errors"
	"net"
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
// reconnects, and retries with slack-go's backoff of what is safe to try
// again (retryHandlers). The binary and the end-to-end tests both build
// their client with it, so that the tests test what runs.
func WebAPIOptions(cfg WebAPIConfig) []slack.Option {
	retry := slack.DefaultRetryConfig()
	retry.MaxRetries = cfg.Retries
	if cfg.Retries == 0 {
		retry.MaxRetries = DefaultRetries
	}
	retry.RetryAfterDuration = 5 * time.Second // a 429 without Retry-After
	retry.Handlers = retryHandlers(retry)
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

// retryHandlers decide which failed calls are tried again. A call answered
// 429 is, after Retry-After: Slack did not act on it. A call whose
// connection failed is only if doing it twice does no harm (repeatable):
// the connection may have dropped after Slack acted, and a post sent again
// is a second message. A post that fails that way is left to the delivery
// path's recovery, which looks for it in the channel before sending it
// again (delivery.go). 5xx answers are not retried at all.
func retryHandlers(cfg slack.RetryConfig) []slack.RetryHandler {
	return []slack.RetryHandler{
		repeatableOnly{slack.NewConnectionErrorRetryHandler()},
		slack.NewRateLimitErrorRetryHandler(cfg),
	}
}

// repeatableOnly is a retry handler that lets its own decide only for the
// calls that are repeatable.
type repeatableOnly struct{ slack.RetryHandler }

func (h repeatableOnly) ShouldRetry(state *slack.RetryState, req *http.Request, resp *http.Response, err error) (bool, time.Duration) {
	if !repeatable(req, err) {
		return false, 0
	}
	return h.RetryHandler.ShouldRetry(state, req, resp, err)
}

// repeatable reports whether req may be sent again after it failed with
// err: its method only reads, or sets something to the same value each
// time (idempotentMethods), or the connection was never made, so Slack
// never saw the request.
func repeatable(req *http.Request, err error) bool {
	if idempotentMethods[slackMethod(req.URL.Path)] {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// idempotentMethods are the Web API methods the bot calls that may be
// sent twice with no effect anyone sees beyond that of once. Never retried
// after a connection failed once made, because they are not in it:
// everything that creates something, such as chat.postMessage (and posts
// to a response_url), chat.postEphemeral, views.open and
// files.completeUploadExternal (which shares the file). A method missing
// here loses only a retry; one wrongly here may post twice.
var idempotentMethods = map[string]bool{
	"apps.connections.open": true, "auth.test": true, "users.info": true,
	"conversations.open": true, "conversations.history": true, "conversations.info": true, "conversations.members": true,
	"chat.update": true, "views.publish": true, "files.getUploadURLExternal": true,
}
