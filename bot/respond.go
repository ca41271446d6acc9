package bot

import (
	"context"
	"log/slog"

	"github.com/slack-go/slack"
)

// respond sends msg as an ephemeral reply through a response_url, which
// works in every channel and DM, whether or not the bot is a member.
func (b *Bot) respond(ctx context.Context, responseURL string, msg message) error {
	opts := append(msg.options(), slack.MsgOptionResponseURL(responseURL, slack.ResponseTypeEphemeral))
	_, _, err := b.api.PostMessageContext(ctx, "", opts...)
	return withoutURL(err) // callers log it: keep the response_url out
}

// replaceOriginal replaces the message whose button was pressed.
func (b *Bot) replaceOriginal(ctx context.Context, log *slog.Logger, cb slack.InteractionCallback, msg message) {
	opts := append(msg.options(), slack.MsgOptionReplaceOriginal(cb.ResponseURL))
	if _, _, err := b.api.PostMessageContext(ctx, "", opts...); err != nil {
		log.Warn("could not replace the message", keyErr, withoutURL(err))
	}
}
