package bot

import (
	"context"

	"github.com/slack-go/slack/slackevents"

	"github.com/leadcoach/leadbot/bot/socket"
)

// Event handles an Events API event (socket.Handler). Event types the bot
// does not use are acknowledged (by the runtime) and ignored.
func (b *Bot) Event(ctx context.Context, env *socket.Envelope, ev slackevents.EventsAPIEvent) {
	log := env.Log
	cb, _ := ev.Data.(*slackevents.EventsAPICallbackEvent)
	eventID := ""
	if cb != nil {
		eventID = cb.EventID
		log = log.With(keyEvent, eventID)
	}
	switch inner := ev.InnerEvent.Data.(type) {
	case *slackevents.MessageEvent:
		b.handleMessage(ctx, log, env, eventID, inner)
	case *slackevents.UserChangeEvent:
		b.userChanged(ctx, log, env, inner)
	case *slackevents.AppHomeOpenedEvent:
		b.homeOpened(ctx, log, inner)
	default:
		log.Debug("event ignored", keyType, ev.InnerEvent.Type)
	}
}
