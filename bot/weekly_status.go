package bot

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/leadcoach/leadbot/bot/calendar"
	"github.com/leadcoach/leadbot/storage"
)

// weeklyShow describes the channel's weekly prompt: when it goes out, how
// many people answered this week's so far and last week's (counted, never
// named), and when the next one comes. "weekly now" is offered only while
// this week has no prompt yet.
func (b *Bot) weeklyShow(ctx context.Context, log *slog.Logger, channelID string) message {
	c, found, err := b.teamChannel(ctx, channelID)
	if err != nil {
		log.Error("could not read the weekly setting", keyErr, err)
		return textMessage(msgSorry)
	}
	if !found || c.Status == storage.ChannelOff {
		return textMessage("There is no weekly prompt in this channel. " + weeklySample +
			" posts one question for the whole team every Friday at 15:00 your time, and anyone in the channel can turn it on.")
	}
	w := scheduleOf(c)
	if c.Status == storage.ChannelPaused {
		return textMessage("The weekly prompt here is *paused*: " + pauseWords(c.PauseReason) + ". " +
			"To start it again, invite me (`/invite @Lead Coach`) if I am not in the channel, then run `/lead-tip weekly " +
			dayWord(w.day) + " " + calendar.Clock(w.minute) + "`.")
	}
	by := ""
	if c.OwnerID != "" {
		by = ", set up by " + mention(c.OwnerID)
	}
	lines := []string{"*Weekly prompt:* " + weeklyWords(w) + by + "."}

	week := calendar.WeekOf(b.now(), w.loc)
	this, postedThisWeek, err := b.postInWeek(ctx, channelID, week)
	if err != nil {
		log.Error("could not read this week's prompt", keyErr, err)
		return textMessage(msgSorry)
	}
	switch {
	case !postedThisWeek:
	case this.State != storage.StateSent:
		lines = append(lines, "This week's is being posted now.")
	default:
		lines = append(lines, "This week's went out "+formatWhen(this.SentAt, w.loc)+": "+b.answered(ctx, log, this, "so far ")+".")
	}
	if last, found, err := b.postInWeek(ctx, channelID, week.Prev()); found && last.State == storage.StateSent {
		lines = append(lines, "Last week's: "+b.answered(ctx, log, last, "")+".")
	} else if err != nil {
		log.Warn("could not read last week's prompt", keyErr, err)
	}
	next := "Next one: *" + formatWhen(c.NextAt, w.loc) + "*."
	if !postedThisWeek {
		next += " `/lead-tip weekly now` posts this week's right away."
	}
	return textMessage(strings.Join(append(lines, next), "\n"))
}

// postInWeek returns the channel's prompt of calendar week week, claimed
// or sent, and false if that week has none.
func (b *Bot) postInWeek(ctx context.Context, channelID string, week calendar.Week) (storage.TeamPost, bool, error) {
	p, err := b.store.TeamPostInWeek(ctx, channelID, int(week))
	if errors.Is(err, storage.ErrNotFound) {
		return p, false, nil
	}
	return p, err == nil, err
}

// answered says how many people answered post p in its thread: "2 people
// answered", "nobody has answered", with soFar ("so far ") before the
// count while the week is still on.
func (b *Bot) answered(ctx context.Context, log *slog.Logger, p storage.TeamPost, soFar string) string {
	n, err := b.store.TeamRepliers(ctx, p.ID)
	switch {
	case err != nil:
		log.Warn("could not count a prompt's answers", keyPost, p.ID, keyErr, err)
		return "I could not count the answers just now"
	case n == 0 && soFar != "":
		return "nobody has answered yet"
	case n == 0:
		return "nobody answered"
	}
	return soFar + counted(n, "person", "people") + " answered"
}
