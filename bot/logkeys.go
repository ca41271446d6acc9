package bot

// Attribute keys for structured logs, kept in one place so that log queries
// stay stable. Values are ids and kinds, never message text or tokens.
const (
	keyComponent = "component"
	keyEnvelope  = "envelope_id"
	keyType      = "type"
	keyUser      = "user"
	keyTeam      = "team"
	keyChannel   = "channel"
	keyEvent     = "event_id"
	keyAction    = "action"
	keyCommand   = "command"
	keyTip       = "tip"
	keyMatched   = "matched"
	keyScore     = "score"
	keyHelpful   = "helpful"
	keyAttempt   = "retry_attempt"
	keyErr       = "err"
	keyPanic     = "panic"
	keyStack     = "stack"
	keyDuration  = "duration"
	keyDelivery  = "delivery"
	keyMethod    = "method"
	keyNudge     = "nudge"
	keySource    = "source"
	keyPrompt    = "prompt"
)
