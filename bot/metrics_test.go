package bot

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/leadcoach/leadbot/storage"
)

// A nil *Metrics records nothing and never panics: tests and tools that
// do not serve /metrics rely on it.
func TestMetricsNilSafe(t *testing.T) {
	var m *Metrics
	if err := m.Register(prometheus.NewRegistry()); err != nil {
		t.Errorf("nil Metrics: Register: %v", err)
	}
	m.TeamPromptSent()
	m.EnvelopeReceived("slash_commands")
	m.EnvelopeAcked("slash_commands", time.Millisecond)
	m.HandlerPanicked()
	m.Connected()
	m.nudgeSent(storage.SourceSchedule, time.Second)
	m.replyRecorded(storage.ViaThread)
	if m.Transport(nil) != http.DefaultTransport {
		t.Error("nil Metrics: Transport(nil) is not http.DefaultTransport")
	}
	h := slog.DiscardHandler
	if m.countErrors(h) != h {
		t.Error("nil Metrics: countErrors wrapped the handler")
	}
}

func TestMetricsRegisterTwice(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewMetrics()
	if err := m.Register(reg); err != nil {
		t.Fatal(err)
	}
	if err := NewMetrics().Register(reg); err == nil {
		t.Error("registering a second set in the same registry did not fail")
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	if len(families) == 0 {
		t.Error("nothing gathered")
	}
}

func TestSlackMethod(t *testing.T) {
	tests := []struct{ path, want string }{
		{"/api/chat.postMessage", "chat.postMessage"},
		{"/api/apps.connections.open", "apps.connections.open"},
		{"/proxy/api/auth.test", "auth.test"},
		{"/commands/T0LEAD/123/abcDEF", "response_url"},
		{"/actions/T0LEAD/123/abcDEF", "response_url"},
		{"/response/42", "response_url"},
		{"/upload/v1/ABC123", "file_upload"},
		{"/api/", "other"},
		{"/api/chat.postMessage/../x", "other"},
		{"/api/U0123456?x", "other"},
	}
	for _, tt := range tests {
		if got := slackMethod(tt.path); got != tt.want {
			t.Errorf("slackMethod(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}

// The transport counts every request by method, and the 429s apart.
func TestMetricsTransport(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/chat.postMessage" {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	m := NewMetrics()
	client := &http.Client{Transport: m.Transport(nil)}
	for _, path := range []string{"/api/auth.test", "/api/chat.postMessage", "/api/chat.postMessage", "/response/1"} {
		resp, err := client.Post(srv.URL+path, "application/json", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	for _, c := range []struct {
		name string
		got  float64
		want float64
	}{
		{"calls auth.test", value(t, m.slackCalls.WithLabelValues("auth.test")), 1},
		{"calls chat.postMessage", value(t, m.slackCalls.WithLabelValues("chat.postMessage")), 2},
		{"calls response_url", value(t, m.slackCalls.WithLabelValues("response_url")), 1},
		{"429 chat.postMessage", value(t, m.slackRateLimited.WithLabelValues("chat.postMessage")), 2},
		{"429 auth.test", value(t, m.slackRateLimited.WithLabelValues("auth.test")), 0},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

// Errors logged by handlers are counted even when the log level hides
// them, and nothing else is.
func TestMetricsCountErrors(t *testing.T) {
	m := NewMetrics()
	var buf bytes.Buffer
	quiet := slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelError + 4})
	log := slog.New(m.countErrors(quiet)).With(keyEnvelope, "E1").WithGroup("g")
	log.Info("fine")
	log.Warn("hmm")
	log.Error("broken")
	log.ErrorContext(context.Background(), "broken again")
	if got := value(t, m.handlerErrors); got != 2 {
		t.Errorf("handler errors = %v, want 2", got)
	}
	if buf.Len() != 0 {
		t.Errorf("records below the level were written: %q", buf.String())
	}
}

func TestMetricsReconnectsAndLag(t *testing.T) {
	m := NewMetrics()
	m.Connected()
	if got := value(t, m.reconnects); got != 0 {
		t.Errorf("reconnects after the first connection = %v, want 0", got)
	}
	m.Connected()
	m.Connected()
	if got := value(t, m.reconnects); got != 2 {
		t.Errorf("reconnects = %v, want 2", got)
	}
	m.nudgeSent(storage.SourceSchedule, 3*time.Second)
	m.nudgeSent(storage.SourceNow, 0)
	if got := value(t, m.schedulerLag); got != 1 {
		t.Errorf("lag observations = %v, want 1", got)
	}
	if got := value(t, m.nudgesSent.WithLabelValues(storage.SourceNow)); got != 1 {
		t.Errorf("nudges sent now = %v, want 1", got)
	}
}

// value returns a counter's or gauge's value, or a histogram's count of
// observations.
func value(t *testing.T, m prometheus.Metric) float64 {
	t.Helper()
	var pb dto.Metric
	if err := m.Write(&pb); err != nil {
		t.Fatal(err)
	}
	switch {
	case pb.Counter != nil:
		return pb.Counter.GetValue()
	case pb.Gauge != nil:
		return pb.Gauge.GetValue()
	case pb.Histogram != nil:
		return float64(pb.Histogram.GetSampleCount())
	}
	t.Fatalf("unexpected metric %v", &pb)
	return 0
}
