package bot

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/slack-go/slack"
)

// historyLength is how many nudges /lead-tip history shows.
const historyLength = 10

// history shows the user's last nudges with what they answered. Only the
// user's own rows are read (every query takes their id), and only they see
// the reply.
func (b *Bot) history(ctx context.Context, log *slog.Logger, userID string) message {
	ds, err := b.store.Deliveries(ctx, userID, historyLength)
	if err != nil {
		log.Error("could not read history", keyErr, err)
		return textMessage(msgSorry)
	}
	if len(ds) == 0 {
		return textMessage("No nudges yet. `/lead-tip nudge` sends you one now; `/lead-tip start` subscribes you.")
	}
	loc := b.storedLocation(ctx, log, userID)
	blocks := []slack.Block{section(fmt.Sprintf("*Your last %d %s*", len(ds), plural(len(ds), "nudge", "nudges")))}
	for _, d := range ds {
		title := b.deliveryTitle(d)
		when := d.SentAt
		if when.IsZero() {
			when = d.ClaimedAt
		}
		line := fmt.Sprintf("*%s* · %s · %s", escape(title), when.In(loc).Format("Mon 2 Jan"), outcomeWords(d))
		replies, err := b.store.Replies(ctx, userID, d.ID)
		if err != nil {
			log.Warn("could not read replies", keyErr, err)
		}
		for _, r := range replies {
			line += "\n> " + escape(clip(strings.Join(strings.Fields(r.Text), " "), 200))
		}
		blocks = append(blocks, section(line))
	}
	return message{text: "Your last " + plural(len(ds), "nudge", "nudges"), blocks: blocks}
}
