package socket

// Attribute keys of the runtime's log lines; the app's own use the same
// names for the same things.
const (
	keyComponent = "component"
	keyEnvelope  = "envelope_id"
	keyType      = "type"
	keyUser      = "user"
	keyTeam      = "team"
	keyAttempt   = "retry_attempt" // Slack's retry_attempt of an envelope
	keyTry       = "attempt"       // a connection or auth.test attempt
	keyBackoff   = "backoff"
	keyErr       = "err"
	keyPanic     = "panic"
	keyStack     = "stack"
	keyDuration  = "duration"
)
