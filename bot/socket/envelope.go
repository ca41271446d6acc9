package socket

import (
	"log/slog"
	"sync"
)

// Envelope is one Socket Mode request being handled. Its acknowledgement
// is sent once: by Ack, by the runtime when the handler returns, or never
// after Nack.
type Envelope struct {
	// ID and Type are the envelope's (slash_commands, events_api,
	// interactive); Retry is Slack's retry_attempt, 0 the first time.
	ID, Type string
	Retry    int
	// Log carries the envelope's id and type; handlers add to it.
	Log *slog.Logger
	// Me is who the bot is in the workspace.
	Me Identity

	once sync.Once
	send func(payload any)
}

// Ack acknowledges the envelope with payload (usually nil), once: for
// handlers that must store what it carries before Slack may consider it
// delivered. Later calls, and Nack, do nothing.
func (e *Envelope) Ack(payload any) {
	e.once.Do(func() { e.send(payload) })
}

// Nack makes sure the envelope is not acknowledged, so that Slack sends
// it again: for when what it carries could not be stored.
func (e *Envelope) Nack() { e.once.Do(func() {}) }
