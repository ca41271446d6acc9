package bot

import (
	"encoding/json"
	"errors"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

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
