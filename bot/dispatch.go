package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// dispatch routes one event from the Socket Mode client. Connection state
// changes are handled here; envelopes go to a handler goroutine, bounded by
// MaxInFlight so that a flood cannot exhaust memory.
func (b *Bot) dispatch(ctx context.Context, log *slog.Logger, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnecting:
		b.connected.Store(false) // also after a drop no other event reported
		log.Debug("connecting")
	case socketmode.EventTypeConnected:
		b.connected.Store(true)
		b.metrics.socketConnected()
		log.Info("connected")
	case socketmode.EventTypeConnectionError:
		b.connected.Store(false)
		if e, ok := evt.Data.(*slack.ConnectionErrorEvent); ok {
			log.Warn("connection failed, retrying", "attempt", e.Attempt, "backoff", e.Backoff, keyErr, e.Error())
		}
	case socketmode.EventTypeInvalidAuth:
		b.connected.Store(false)
		log.Error("Slack rejected the app token (SLACK_APP_TOKEN)")
	case socketmode.EventTypeHello:
		b.helloReceived(evt)
		log.Debug("hello")
	case socketmode.EventTypeDisconnect:
		b.connected.Store(false)
		log.Info("disconnect requested by Slack, reconnecting")
	case socketmode.EventTypeIncomingError:
		if unreadableFrame(evt) {
			log.Warn("ignoring a frame that is not JSON")
			return
		}
		b.connected.Store(false)
		log.Warn("connection lost, reconnecting")
	case socketmode.EventTypeErrorBadMessage:
		b.badMessage(log, evt)
	case socketmode.EventTypeErrorWriteFailed:
		log.Warn("could not write an acknowledgement")
	case socketmode.EventTypeSlashCommand, socketmode.EventTypeEventsAPI, socketmode.EventTypeInteractive:
		if evt.Request == nil {
			return
		}
		received := time.Now() // before waiting for a slot: the wait counts in the ack latency
		b.metrics.envelopeReceived(evt.Request.Type)
		b.slots <- struct{}{}
		b.inflight.Add(1)
		go func() {
			defer func() { <-b.slots; b.inflight.Done() }()
			b.serve(ctx, evt, received)
		}()
	default:
		log.Debug("ignoring client event", keyType, string(evt.Type))
	}
}

// badMessage handles a frame the client could not parse: an unknown
// envelope type or an Events API event slack-go does not know. Slack still
// expects an acknowledgement, or it will send the envelope again.
func (b *Bot) badMessage(log *slog.Logger, evt socketmode.Event) {
	e, ok := evt.Data.(*socketmode.ErrorBadMessage)
	if !ok {
		return
	}
	var env struct {
		EnvelopeID string `json:"envelope_id"`
		Type       string `json:"type"`
	}
	_ = json.Unmarshal(e.Message, &env) // a frame that is not even JSON has no id to ack
	log.Warn("ignoring an envelope the client could not parse", keyType, env.Type, keyEnvelope, env.EnvelopeID, keyErr, e.Cause.Error())
	if env.EnvelopeID != "" {
		received := time.Now()
		b.metrics.envelopeReceived("unknown")
		if b.ackEnvelope(context.Background(), env.EnvelopeID, nil) {
			b.metrics.envelopeAcked("unknown", time.Since(received))
		}
	}
}

// envelope is one Socket Mode request being handled. ack sends its
// acknowledgement exactly once: handlers that must store something before
// Slack may consider the envelope delivered call it when that is done;
// otherwise serve acks on return.
type envelope struct {
	req     *socketmode.Request
	once    sync.Once
	ackFunc func(payload any)
}

func (e *envelope) ack(payload any) { e.once.Do(func() { e.ackFunc(payload) }) }

// nack makes sure the envelope is not acknowledged, so that Slack delivers
// it again: for when what it carries could not be stored.
func (e *envelope) nack() { e.once.Do(func() {}) }

// serve runs the handler for one envelope, acknowledging it and recovering
// from a panic, which is logged and answered with an apology. received is
// when the envelope came off the socket, for the ack latency metric.
func (b *Bot) serve(ctx context.Context, evt socketmode.Event, received time.Time) {
	ctx, cancel := context.WithTimeout(ctx, b.timeout)
	defer cancel()
	req := evt.Request
	log := slog.New(b.metrics.countErrors(b.log.Handler())).With(keyEnvelope, req.EnvelopeID, keyType, req.Type)
	if req.RetryAttempt > 0 {
		log = log.With(keyAttempt, req.RetryAttempt)
	}
	env := &envelope{req: req}
	env.ackFunc = func(payload any) {
		if b.ackEnvelope(ctx, req.EnvelopeID, payload) {
			b.metrics.envelopeAcked(req.Type, time.Since(received))
		}
	}
	start := time.Now()

	defer func() {
		if r := recover(); r != nil {
			b.metrics.handlerPanicked()
			log.Error("handler panicked", keyPanic, fmt.Sprint(r), keyStack, string(debug.Stack()))
			env.ack(nil)
			b.apologize(ctx, log, evt)
		}
		env.ack(nil)
		log.Debug("handled", keyDuration, time.Since(start))
	}()

	if why := b.refuse(evt); why != "" {
		log.Warn("envelope ignored: " + why)
		return
	}
	switch evt.Type {
	case socketmode.EventTypeSlashCommand:
		cmd, ok := evt.Data.(slack.SlashCommand)
		if !ok {
			log.Warn("slash command envelope without a command")
			return
		}
		b.handleCommand(ctx, log, env, cmd)
	case socketmode.EventTypeEventsAPI:
		ev, ok := evt.Data.(slackevents.EventsAPIEvent)
		if !ok {
			log.Warn("events envelope without an event")
			return
		}
		b.handleEvent(ctx, log, env, ev)
	case socketmode.EventTypeInteractive:
		cb, ok := evt.Data.(slack.InteractionCallback)
		if !ok {
			log.Warn("interactive envelope without a payload")
			return
		}
		b.handleInteraction(ctx, log, env, cb)
	}
}

// ackEnvelope hands the acknowledgement of envelope id to the socket
// client. It reports whether that worked; a failure is logged here.
func (b *Bot) ackEnvelope(ctx context.Context, id string, payload any) bool {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	if err := b.socket.AckCtx(ctx, id, payload); err != nil {
		b.log.Warn("ack failed", keyEnvelope, id, keyErr, err)
		return false
	}
	return true
}

// apologize tells the user, where the envelope gives a way to, that
// something went wrong on our side. The details stay in the log.
func (b *Bot) apologize(ctx context.Context, log *slog.Logger, evt socketmode.Event) {
	var responseURL string
	switch d := evt.Data.(type) {
	case slack.SlashCommand:
		responseURL = d.ResponseURL
	case slack.InteractionCallback:
		responseURL = d.ResponseURL
	}
	if responseURL == "" {
		return
	}
	if err := b.respond(ctx, responseURL, textMessage(msgSorry)); err != nil {
		log.Warn("could not send the apology", keyErr, err)
	}
}
