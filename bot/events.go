package bot

import (
	"context"
	"log/slog"

	"github.com/slack-go/slack/slackevents"
)

// handleEvent handles an Events API event. Event types the bot does not use
// are acknowledged (by serve) and ignored.
func (b *Bot) handleEvent(ctx context.Context, log *slog.Logger, env *envelope, ev slackevents.EventsAPIEvent) {
	log.Debug("event ignored", keyType, ev.InnerEvent.Type)
}
