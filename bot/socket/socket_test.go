package socket

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/leadcoach/leadbot/bot/slackfake"
)

// blockingHandler holds every event until release is closed, and counts
// the commands it sees.
type blockingHandler struct {
	release  chan struct{}
	mu       sync.Mutex
	events   int
	commands int
}

func (h *blockingHandler) Command(context.Context, *Envelope, slack.SlashCommand) {
	h.mu.Lock()
	h.commands++
	h.mu.Unlock()
}

func (h *blockingHandler) Event(ctx context.Context, env *Envelope, _ slackevents.EventsAPIEvent) {
	h.mu.Lock()
	h.events++
	h.mu.Unlock()
	select {
	case <-h.release:
		env.Ack(nil)
	case <-ctx.Done():
		env.Nack()
	}
}

func (h *blockingHandler) Interaction(context.Context, *Envelope, slack.InteractionCallback) {}
func (h *blockingHandler) Failed(context.Context, *slog.Logger, string)                      {}

func start(t *testing.T, h Handler, cfg Config, opts slackfake.Options) (*slackfake.Server, func()) {
	t.Helper()
	opts.PingInterval = 500 * time.Millisecond
	fake, err := slackfake.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	api := slack.New("xoxb-test", slack.OptionAppLevelToken("xapp-test"), slack.OptionAPIURL(fake.APIURL()))
	cfg.Client, cfg.Auth, cfg.Handler = socketmode.New(api), api, h
	rt, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- rt.Run(ctx, nil) }()
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer wcancel()
	if err := fake.WaitConnected(wctx, 1); err != nil {
		t.Fatal(err)
	}
	return fake, func() {
		cancel()
		<-done
		fake.Close()
	}
}

// Slash commands are acknowledged while every event handler is stuck (on
// a locked database, say), and events beyond what can wait are left for
// Slack to send again rather than queued without end.
func TestCommandsAckedWhileHandlersBlocked(t *testing.T) {
	h := &blockingHandler{release: make(chan struct{})}
	// No redelivery during the test: what is turned away stays away.
	fake, stop := start(t, h, Config{MaxInFlight: 2, ShutdownTimeout: time.Second}, slackfake.Options{AckTimeout: time.Hour})
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	// Two handlers running, eight waiting: the pool is full; two more are
	// turned away.
	var events []string
	for i := range 12 {
		id, _, err := fake.SendEvent(ctx, map[string]any{"type": "message", "channel": "D1", "user": "U1",
			"ts": "1800000000.00010" + string(rune('0'+i%10)), "channel_type": "im", "text": "hi"})
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, id)
	}
	id, err := fake.SendSlashCommand(ctx, slack.SlashCommand{UserID: "U1", Text: "help", ResponseURL: fake.NewResponseURL()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fake.WaitAck(ctx, id); err != nil {
		t.Fatalf("the command was not acknowledged while event handlers were stuck: %v", err)
	}
	for _, e := range events {
		for _, a := range fake.Acks() {
			if a.EnvelopeID == e {
				t.Fatalf("event %s acknowledged before its handler finished", e)
			}
		}
	}
	close(h.release)
	acked := 0
	for _, e := range events[:10] {
		if _, err := fake.WaitAck(ctx, e); err == nil {
			acked++
		}
	}
	for _, e := range events[10:] {
		for _, a := range fake.Acks() {
			if a.EnvelopeID == e {
				acked++
			}
		}
	}
	if acked != 10 {
		t.Errorf("%d events acknowledged once released, want the 10 that could wait (2 running, 8 queued)", acked)
	}
}
