package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/slack-go/slack"

	"github.com/leadcoach/leadbot/bot/calendar"
	"github.com/leadcoach/leadbot/storage"
)

// historyLength is how many nudges /lead-tip history shows.
const historyLength = 10

// nudgeCommand sends the next nudge right away.
func (b *Bot) nudgeCommand(ctx context.Context, log *slog.Logger, sc slack.SlashCommand) message {
	b.user(ctx, log, sc.UserID, sc.TeamID)
	err := b.nudgeNow(ctx, log, sc.UserID)
	switch {
	case errors.Is(err, errNudgeTooSoon):
		return textMessage("One is on its way already: have a look at your DMs with me.")
	case err != nil:
		log.Warn("nudge now not delivered", keyErr, err)
		return textMessage("I could not send your nudge just now. Please try again in a minute.")
	}
	text := "Sent: your challenge is in your DMs with me. Reply there, or press Done / Not yet / Skip."
	if _, err := b.store.Subscription(ctx, sc.UserID); errors.Is(err, storage.ErrNotFound) {
		text += " For one every Monday, Wednesday and Friday, `/lead-tip start`."
	}
	return textMessage(text)
}

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
	u, _ := b.store.User(ctx, userID)
	loc := calendar.LoadLocation(u.TZ)
	blocks := []slack.Block{section(fmt.Sprintf("*Your last %d %s*", len(ds), plural(len(ds), "nudge", "nudges")))}
	for _, d := range ds {
		title := d.NudgeID
		if n, ok := b.lib.Nudge(d.NudgeID); ok {
			title = n.Title
		}
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

func outcomeWords(d storage.Delivery) string {
	switch {
	case d.State == storage.StateFailed:
		return "could not be delivered"
	case d.State == storage.StateClaimed:
		return "on its way"
	case d.Outcome == storage.OutcomeDone:
		return ":white_check_mark: done"
	case d.Outcome == storage.OutcomeNotYet:
		return ":hourglass_flowing_sand: not yet"
	case d.Outcome == storage.OutcomeSkipped:
		return ":fast_forward: skipped"
	case d.Outcome == storage.OutcomeReplied:
		return ":speech_balloon: replied"
	default:
		return "no answer yet"
	}
}
