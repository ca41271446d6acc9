package socket

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// dispatch routes one event from the Socket Mode client. It never blocks:
// connection state changes are handled here, and each envelope gets a
// goroutine that waits for a handler slot of its kind, so that a stalled
// database holding every event handler cannot keep a slash command from
// being acknowledged. Past four times as many waiting as may run, an
// envelope is left unacknowledged (Slack sends it again later) rather than
// piling up in memory.
func (r *Runtime) dispatch(ctx context.Context, log *slog.Logger, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnecting:
		r.connected.Store(false) // also after a drop no other event reported
		log.Debug("connecting")
	case socketmode.EventTypeConnected:
		r.connected.Store(true)
		r.obs.Connected()
		log.Info("connected")
	case socketmode.EventTypeConnectionError:
		r.connected.Store(false)
		if e, ok := evt.Data.(*slack.ConnectionErrorEvent); ok {
			log.Warn("connection failed, retrying", keyTry, e.Attempt, keyBackoff, e.Backoff, keyErr, e.Error())
		}
	case socketmode.EventTypeInvalidAuth:
		r.connected.Store(false)
		log.Error("Slack rejected the app token (SLACK_APP_TOKEN)")
	case socketmode.EventTypeHello:
		r.helloReceived(evt)
		log.Debug("hello")
	case socketmode.EventTypeDisconnect:
		r.connected.Store(false)
		log.Info("disconnect requested by Slack, reconnecting")
	case socketmode.EventTypeIncomingError:
		if unreadableFrame(evt) {
			log.Warn("ignoring a frame that is not JSON")
			return
		}
		r.connected.Store(false)
		log.Warn("connection lost, reconnecting")
	case socketmode.EventTypeErrorBadMessage:
		r.badMessage(log, evt)
	case socketmode.EventTypeErrorWriteFailed:
		log.Warn("could not write an acknowledgement")
	case socketmode.EventTypeSlashCommand, socketmode.EventTypeEventsAPI, socketmode.EventTypeInteractive:
		if evt.Request == nil {
			return
		}
		r.start(ctx, log, evt)
	default:
		log.Debug("ignoring client event", keyType, string(evt.Type))
	}
}

// start begins handling one envelope.
func (r *Runtime) start(ctx context.Context, log *slog.Logger, evt socketmode.Event) {
	req := evt.Request
	received := time.Now() // the wait for a slot counts in the ack latency
	r.obs.EnvelopeReceived(req.Type)
	env := &Envelope{ID: req.EnvelopeID, Type: req.Type, Retry: req.RetryAttempt,
		Log: r.log.With(keyEnvelope, req.EnvelopeID, keyType, req.Type)}
	if req.RetryAttempt > 0 {
		env.Log = env.Log.With(keyAttempt, req.RetryAttempt)
	}
	if me := r.me.Load(); me != nil {
		env.Me = *me
	}
	env.send = func(payload any) {
		if r.ack(ctx, env.ID, payload) {
			r.obs.EnvelopeAcked(env.Type, time.Since(received))
		}
	}
	p := &r.work
	if evt.Type == socketmode.EventTypeSlashCommand {
		// Answered through its response_url: acknowledged now, whatever
		// the handlers are doing, well inside Slack's three seconds.
		env.Ack(nil)
		p = &r.commands
	}
	select {
	case p.admitted <- struct{}{}:
	default:
		log.Warn("too many envelopes waiting: left for Slack to send again", keyEnvelope, req.EnvelopeID, keyType, req.Type)
		return
	}
	r.inflight.Add(1)
	go func() {
		defer func() { <-p.admitted; r.inflight.Done() }()
		p.slots <- struct{}{}
		defer func() { <-p.slots }()
		r.serve(ctx, env, evt)
	}()
}

// serve runs the handler for one envelope, acknowledging it (unless the
// handler said Nack) and recovering from a panic, which is logged and
// answered with an apology.
func (r *Runtime) serve(ctx context.Context, env *Envelope, evt socketmode.Event) {
	ctx, cancel := context.WithTimeout(ctx, r.cfg.HandlerTimeout)
	defer cancel()
	start := time.Now()
	defer func() {
		if p := recover(); p != nil {
			r.obs.HandlerPanicked()
			env.Log.Error("handler panicked", keyPanic, fmt.Sprint(p), keyStack, string(debug.Stack()))
			env.Ack(nil)
			r.cfg.Handler.Failed(ctx, env.Log, responseURL(evt))
		}
		env.Ack(nil)
		env.Log.Debug("handled", keyDuration, time.Since(start))
	}()

	if why := r.refuse(evt); why != "" {
		env.Log.Warn("envelope ignored: " + why)
		return
	}
	h := r.cfg.Handler
	switch evt.Type {
	case socketmode.EventTypeSlashCommand:
		if cmd, ok := evt.Data.(slack.SlashCommand); ok {
			h.Command(ctx, env, cmd)
			return
		}
		env.Log.Warn("slash command envelope without a command")
	case socketmode.EventTypeEventsAPI:
		if ev, ok := evt.Data.(slackevents.EventsAPIEvent); ok {
			h.Event(ctx, env, ev)
			return
		}
		env.Log.Warn("events envelope without an event")
	case socketmode.EventTypeInteractive:
		if cb, ok := evt.Data.(slack.InteractionCallback); ok {
			h.Interaction(ctx, env, cb)
			return
		}
		env.Log.Warn("interactive envelope without a payload")
	}
}

func responseURL(evt socketmode.Event) string {
	switch d := evt.Data.(type) {
	case slack.SlashCommand:
		return d.ResponseURL
	case slack.InteractionCallback:
		return d.ResponseURL
	}
	return ""
}

// ack hands the acknowledgement of envelope id to the socket client. It
// reports whether that worked; a failure is logged here.
func (r *Runtime) ack(ctx context.Context, id string, payload any) bool {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	if err := r.cfg.Client.AckCtx(ctx, id, payload); err != nil {
		r.log.Warn("ack failed", keyEnvelope, id, keyErr, err)
		return false
	}
	return true
}

// badMessage handles a frame the client could not parse: an unknown
// envelope type or an Events API event slack-go does not know. Slack still
// expects an acknowledgement, or it will send the envelope again.
func (r *Runtime) badMessage(log *slog.Logger, evt socketmode.Event) {
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
		r.obs.EnvelopeReceived("unknown")
		if r.ack(context.Background(), env.EnvelopeID, nil) {
			r.obs.EnvelopeAcked("unknown", time.Since(received))
		}
	}
}

// unreadableFrame reports whether an incoming-error event is about one
// frame that is not JSON. slack-go skips such a frame and keeps the
// connection (it reconnects only after ten in a row, with events of their
// own), so the bot is still connected.
func unreadableFrame(evt socketmode.Event) bool {
	e, ok := evt.Data.(*slack.IncomingEventError)
	if !ok {
		return false
	}
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	return errors.As(e.ErrorObj, &syntax) || errors.As(e.ErrorObj, &typ)
}
