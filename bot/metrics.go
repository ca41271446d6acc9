package bot

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/leadcoach/leadbot/storage"
)

// Metrics are the bot's Prometheus counters and histograms. Create them with
// NewMetrics, register them with Register, and pass them in Config.Metrics.
// Every method is safe on a nil *Metrics, which records nothing: tests and
// tools that do not serve /metrics leave Config.Metrics nil.
type Metrics struct {
	envelopesReceived *prometheus.CounterVec
	envelopesAcked    *prometheus.CounterVec
	ackLatency        prometheus.Histogram
	handlerErrors     prometheus.Counter
	handlerPanics     prometheus.Counter
	reconnects        prometheus.Counter
	slackCalls        *prometheus.CounterVec
	slackRateLimited  *prometheus.CounterVec
	nudgesSent        *prometheus.CounterVec
	teamPromptsSent   prometheus.Counter
	repliesRecorded   *prometheus.CounterVec
	tipVotes          *prometheus.CounterVec
	programmeSent     *prometheus.CounterVec
	schedulerLag      prometheus.Histogram

	connects atomic.Int64 // connections made, to tell a reconnect from the first
}

// viaTeamThread labels replies recorded in a weekly team prompt's thread
// (replies to nudges use storage.ViaThread and storage.ViaDM).
const viaTeamThread = "team_thread"

// NewMetrics returns a fresh, unregistered set of the bot's metrics. It
// never fails.
func NewMetrics() *Metrics {
	const ns = "leadbot"
	return &Metrics{
		envelopesReceived: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Name: "envelopes_received_total",
			Help: "Socket Mode envelopes received, by envelope type.",
		}, []string{"type"}),
		envelopesAcked: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Name: "envelopes_acked_total",
			Help: "Socket Mode envelopes acknowledged, by envelope type.",
		}, []string{"type"}),
		ackLatency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: ns, Name: "ack_latency_seconds",
			Help:    "Time from receiving an envelope to handing its acknowledgement to the socket client.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}),
		handlerErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: ns, Name: "handler_errors_total",
			Help: "Errors logged while handling envelopes (panics included).",
		}),
		handlerPanics: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: ns, Name: "handler_panics_total",
			Help: "Envelope handlers that panicked and were recovered.",
		}),
		reconnects: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: ns, Name: "reconnects_total",
			Help: "Socket Mode connections made after the first one.",
		}),
		slackCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Name: "slack_api_calls_total",
			Help: "HTTP requests to Slack (retries included), by Web API method; response_url posts and file uploads have their own label.",
		}, []string{"method"}),
		slackRateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Name: "slack_api_rate_limited_total",
			Help: "HTTP requests to Slack answered 429 Too Many Requests, by Web API method.",
		}, []string{"method"}),
		nudgesSent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Name: "nudges_sent_total",
			Help: "Nudges posted and recorded as sent, by source (schedule, now, reask).",
		}, []string{"source"}),
		teamPromptsSent: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: ns, Name: "team_prompts_sent_total",
			Help: "Weekly team prompts posted in channels.",
		}),
		repliesRecorded: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Name: "replies_recorded_total",
			Help: "Replies stored, by how they came: to a nudge (thread, dm) or in a weekly team prompt's thread (team_thread).",
		}, []string{"via"}),
		tipVotes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Name: "tip_votes_total",
			Help: "Helpful? buttons pressed on tips and stored, by vote (up, down).",
		}, []string{"vote"}),
		programmeSent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Name: "programme_messages_sent_total",
			Help: "Messages of the 90-day programme posted, by message (look_back, day90_summary).",
		}, []string{"message"}),
		schedulerLag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: ns, Name: "scheduler_lag_seconds",
			Help:    "How late a scheduled nudge was posted, from its slot to the post.",
			Buckets: []float64{.5, 1, 2.5, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200},
		}),
	}
}

// Register adds the metrics to r; on a nil *Metrics it adds nothing. It
// returns the registry's error if one of them is already registered there.
func (m *Metrics) Register(r prometheus.Registerer) error {
	if m == nil {
		return nil
	}
	for _, c := range []prometheus.Collector{
		m.envelopesReceived, m.envelopesAcked, m.ackLatency, m.handlerErrors, m.handlerPanics,
		m.reconnects, m.slackCalls, m.slackRateLimited, m.nudgesSent, m.teamPromptsSent,
		m.repliesRecorded, m.tipVotes, m.programmeSent, m.schedulerLag,
	} {
		if err := r.Register(c); err != nil {
			return fmt.Errorf("register metrics: %w", err)
		}
	}
	return nil
}

// TeamPromptSent counts one weekly team prompt posted in a channel
// (leadbot_team_prompts_sent_total). Call it once the post succeeded.
func (m *Metrics) TeamPromptSent() {
	if m == nil {
		return
	}
	m.teamPromptsSent.Inc()
}

// EnvelopeReceived counts an envelope off the socket (socket.Observer).
func (m *Metrics) EnvelopeReceived(typ string) {
	if m == nil {
		return
	}
	m.envelopesReceived.WithLabelValues(typ).Inc()
}

// EnvelopeAcked counts an acknowledgement and its latency (socket.Observer).
func (m *Metrics) EnvelopeAcked(typ string, latency time.Duration) {
	if m == nil {
		return
	}
	m.envelopesAcked.WithLabelValues(typ).Inc()
	m.ackLatency.Observe(latency.Seconds())
}

// HandlerPanicked counts a handler that panicked (socket.Observer).
func (m *Metrics) HandlerPanicked() {
	if m == nil {
		return
	}
	m.handlerPanics.Inc()
}

// Connected counts a connection; every one after the first is a
// reconnect (socket.Observer).
func (m *Metrics) Connected() {
	if m == nil {
		return
	}
	if m.connects.Add(1) > 1 {
		m.reconnects.Inc()
	}
}

// nudgeSent counts a nudge posted and, for a scheduled one, how late it
// was.
func (m *Metrics) nudgeSent(source string, late time.Duration) {
	if m == nil {
		return
	}
	m.nudgesSent.WithLabelValues(source).Inc()
	if source == storage.SourceSchedule {
		m.schedulerLag.Observe(max(late, 0).Seconds())
	}
}

// The programme's messages, as programmeSent labels them.
const (
	programmeLookBack = "look_back"
	programmeSummary  = "day90_summary"
)

func (m *Metrics) programmeMessageSent(what string) {
	if m == nil {
		return
	}
	m.programmeSent.WithLabelValues(what).Inc()
}

func (m *Metrics) replyRecorded(via string) {
	if m == nil {
		return
	}
	m.repliesRecorded.WithLabelValues(via).Inc()
}

// tipVoted counts one vote on a tip, once it is stored.
func (m *Metrics) tipVoted(helpful bool) {
	if m == nil {
		return
	}
	vote := "down"
	if helpful {
		vote = "up"
	}
	m.tipVotes.WithLabelValues(vote).Inc()
}

// Transport returns an http.RoundTripper that counts every request to
// Slack made through next (http.DefaultTransport when nil) and the ones
// answered 429, by Web API method. Give it to slack.OptionHTTPClient. On a
// nil *Metrics it returns next unchanged.
func (m *Metrics) Transport(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	if m == nil {
		return next
	}
	return countingTransport{next: next, m: m}
}

type countingTransport struct {
	next http.RoundTripper
	m    *Metrics
}

func (t countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	method := slackMethod(req.URL.Path)
	t.m.slackCalls.WithLabelValues(method).Inc()
	resp, err := t.next.RoundTrip(req)
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		t.m.slackRateLimited.WithLabelValues(method).Inc()
	}
	return resp, err
}

// slackMethod names the Slack call a URL path is for: the Web API method
// after ".../api/", or "response_url" or "file_upload" for the other URLs
// Slack hands out. Anything that does not look like a method name becomes
// "other", so that the label's values stay few.
func slackMethod(path string) string {
	i := strings.LastIndex(path, "/api/")
	if i < 0 {
		if strings.Contains(path, "/upload/") {
			return "file_upload"
		}
		return "response_url"
	}
	name := path[i+len("/api/"):]
	if name == "" || len(name) > 64 || strings.Trim(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.") != "" {
		return "other"
	}
	return name
}

// countErrors wraps h so that every record at level Error or above counts
// as a handler error. Handlers log an error once, where they handle it, so
// this counts each error once.
func (m *Metrics) countErrors(h slog.Handler) slog.Handler {
	if m == nil {
		return h
	}
	return errorCounter{Handler: h, m: m}
}

type errorCounter struct {
	slog.Handler
	m *Metrics
}

// Enabled lets errors through even when the level would drop them, so they
// are counted whatever LEADBOT_LOG_LEVEL says.
func (h errorCounter) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelError || h.Handler.Enabled(ctx, l)
}

func (h errorCounter) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelError {
		h.m.handlerErrors.Inc()
		if !h.Handler.Enabled(ctx, r.Level) {
			return nil
		}
	}
	return h.Handler.Handle(ctx, r)
}

func (h errorCounter) WithAttrs(attrs []slog.Attr) slog.Handler {
	return errorCounter{Handler: h.Handler.WithAttrs(attrs), m: h.m}
}

func (h errorCounter) WithGroup(name string) slog.Handler {
	return errorCounter{Handler: h.Handler.WithGroup(name), m: h.m}
}
