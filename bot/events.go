package bot

import (
	"context"
	"log/slog"

	"github.com/slack-go/slack/slackevents"
)

// handleEvent handles an Events API event. Event types the bot does not use
// are acknowledged (by serve) and ignored.
func (b *Bot) handleEvent(ctx context.Context, log *slog.Logger, env *envelope, ev slackevents.EventsAPIEvent) {
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
		b.userChanged(ctx, log, inner)
	case *slackevents.AppHomeOpenedEvent:
		b.homeOpened(ctx, log, inner)
	default:
		log.Debug("event ignored", keyType, ev.InnerEvent.Type)
	}
}
