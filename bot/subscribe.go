package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/leadcoach/leadbot/bot/calendar"
	"github.com/leadcoach/leadbot/bot/socket"
	"github.com/leadcoach/leadbot/storage"
)

// maxPause is the longest pause accepted.
const maxPause = 366 * 24 * time.Hour

// subscribe handles "start [days] [time]" and "schedule days time": it
// subscribes the user (default Monday, Wednesday, Friday at 09:30 in their
// Slack timezone) or changes their schedule, and says when the next nudge
// comes.
func (b *Bot) subscribe(ctx context.Context, log *slog.Logger, who person, cmd command) message {
	days, minute, haveDays, haveTime, err := parseSchedule(cmd.args)
	var se scheduleError
	if errors.As(err, &se) {
		return textMessage(se.msg)
	}
	if cmd.verb == verbSchedule && !haveDays && !haveTime {
		return textMessage("Tell me the days and the time, for example " + scheduleSample + ".")
	}
	u, loc := b.user(ctx, log, who.id, who.team)
	sub, err := b.store.Subscription(ctx, who.id)
	isNew := errors.Is(err, storage.ErrNotFound)
	if err != nil && !isNew {
		log.Error("could not read subscription", keyErr, err)
		return textMessage(msgSorry)
	}
	if isNew {
		sub = storage.Subscription{UserID: who.id, Days: uint8(defaultDays), Minute: defaultMinute, DigestOn: true}
	}
	before := sub
	if haveDays {
		sub.Days = uint8(days)
	}
	if haveTime {
		sub.Minute = minute
	}
	if cmd.verb == verbStart || sub.Status == storage.StatusStopped || sub.Status == "" {
		sub.Status, sub.PausedUntil = storage.StatusActive, time.Time{}
	}
	unchanged := !isNew && before.Status == storage.StatusActive && sub.Days == before.Days && sub.Minute == before.Minute
	if !unchanged {
		now := b.now()
		sub.NextAt = calendar.NextSlot(calendar.Days(sub.Days), sub.Minute, loc, now)
		sub.DigestNextAt = nextDigest(sub, loc, now)
		if err := b.store.SaveSubscription(ctx, sub); err != nil {
			log.Error("could not save subscription", keyErr, err)
			return textMessage(msgSorry)
		}
		log.Info("subscribed", keyNew, isNew, keyDays, sub.Days, keyMinute, sub.Minute)
		b.poke()
		b.homeChanged(ctx, log, who.id)
	}

	var lines []string
	switch {
	case isNew:
		lines = append(lines, "*You're in.* I'll send you one small, concrete challenge "+scheduleWords(sub, loc)+".")
	case unchanged:
		lines = append(lines, "You're already subscribed: "+scheduleWords(sub, loc)+".")
	case before.Status == storage.StatusStopped || (before.Status == storage.StatusPaused && sub.Status == storage.StatusActive):
		lines = append(lines, "*Welcome back.* Your nudges come "+scheduleWords(sub, loc)+".")
	default:
		lines = append(lines, "*Schedule updated:* "+scheduleWords(sub, loc)+".")
	}
	if sub.Status == storage.StatusPaused {
		lines = append(lines, "You are paused "+pausedWords(sub, loc)+"; `/lead-tip resume` to start again sooner.")
	} else {
		lines = append(lines, "Next one: *"+formatWhen(sub.NextAt, loc)+"*.")
	}
	if u.TZ == "" {
		lines = append(lines, "I could not read your timezone from Slack, so I am using UTC for now.")
	}
	if isNew {
		lines = append(lines, "Want one right now? `/lead-tip nudge`. Change the days or time with "+scheduleSample+", or `/lead-tip pause 2w` when you need a break.")
	}
	msg := textMessage(strings.Join(lines, "\n"))
	p, err := b.store.Profile(ctx, who.id)
	if err != nil {
		log.Warn("could not read the profile; not offering the form", keyErr, err)
	}
	if err == nil && p.UpdatedAt.IsZero() {
		// Asked once, and skippable: the nudges come either way.
		msg.blocks = append(msg.blocks,
			contextLine("Optional, a minute: tell me when you became a manager and whether you lead former peers, and your first 90 days follow a plan that fits."),
			slack.NewActionBlock("start_profile", profileButton(p)))
	}
	return msg
}

func scheduleWords(s storage.Subscription, loc *time.Location) string {
	return fmt.Sprintf("%s at %s (%s)", calendar.Days(s.Days).Every(), calendar.Clock(s.Minute), loc)
}

func pausedWords(s storage.Subscription, loc *time.Location) string {
	if s.PausedUntil.IsZero() {
		return "until you resume"
	}
	return "until " + s.PausedUntil.In(loc).Format("Monday 2 January 2006")
}

// pause handles "pause", "pause 2w", "pause 10d" and "pause until
// friday" (or tomorrow, or a date: calendar.UntilDate). Only running nudges can be paused: after stop there is
// nothing to pause, and a pause would never end in a nudge.
func (b *Bot) pause(ctx context.Context, log *slog.Logger, who person, cmd command) message {
	sub, err := b.store.Subscription(ctx, who.id)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return textMessage("You are not subscribed to nudges, so there is nothing to pause. `/lead-tip start` subscribes you (Monday, Wednesday and Friday at 09:30 your time).")
	case err != nil:
		log.Error("could not read subscription", keyErr, err)
		return textMessage(msgSorry)
	case sub.Status == storage.StatusStopped || sub.NextAt.IsZero():
		return textMessage("Your nudges are stopped, so there is nothing to pause. `/lead-tip start` turns them back on.")
	}
	_, loc := b.user(ctx, log, who.id, who.team)
	now := b.now()
	until, err := parsePause(cmd.args, now, loc)
	if err != nil {
		return textMessage(err.Error())
	}
	sub.Status, sub.PausedUntil = storage.StatusPaused, until
	if err := b.store.SaveSubscription(ctx, sub); err != nil {
		log.Error("could not pause", keyErr, err)
		return textMessage(msgSorry)
	}
	log.Info("paused", keyUntil, until)
	b.homeChanged(ctx, log, who.id)
	if until.IsZero() {
		return textMessage("Paused until you resume. Your history stays; `/lead-tip resume` starts the nudges again.")
	}
	// The scheduler sends the first slot at or after the end of the pause.
	next := calendar.NextSlot(calendar.Days(sub.Days), sub.Minute, loc, until.Add(-time.Nanosecond))
	return textMessage("Paused " + pauseLengthWords(cmd.args, now, until, loc) + ". Your next nudge: *" + formatWhen(next, loc) +
		"*. Your history stays; `/lead-tip resume` starts sooner.")
}

// pauseLengthWords says how long a pause lasts the way it was asked for:
// "for 2 weeks", "for 10 days", "until Sunday 10 January 2027".
func pauseLengthWords(args []string, now, until time.Time, loc *time.Location) string {
	const day = 24 * time.Hour
	d := until.Sub(now)
	if _, isUntil := cutUntil(strings.Join(args, " ")); isUntil || d%day != 0 {
		return "until " + until.In(loc).Format("Monday 2 January 2006")
	}
	n := int(d / day)
	if n%7 == 0 {
		return "for " + counted(n/7, "week", "weeks")
	}
	return "for " + counted(n, "day", "days")
}

// parsePause reads how long to pause: nothing (until resumed), "2w", "10d",
// "3 weeks", or until the start of a day in loc, the user's timezone:
// "until tomorrow", "until friday", "until 2027-01-10", "till 10 january".
func parsePause(args []string, now time.Time, loc *time.Location) (time.Time, error) {
	example := "For example `/lead-tip pause 2w`, `/lead-tip pause until friday` or `/lead-tip pause until 2027-01-10`."
	if len(args) == 0 {
		return time.Time{}, nil
	}
	text := strings.ToLower(strings.Join(args, " "))
	var until time.Time
	if rest, ok := cutUntil(text); ok {
		t, ok := calendar.UntilDate(rest, now, loc)
		if !ok {
			return time.Time{}, errors.New("I could not read that date: write tomorrow, a day such as friday, or a date such as 2027-01-10 or 10 january. " + example)
		}
		until = t
	} else {
		compact := strings.ReplaceAll(text, " ", "")
		unit := 24 * time.Hour
		num := strings.TrimRightFunc(compact, func(r rune) bool { return r < '0' || r > '9' })
		switch strings.TrimPrefix(compact, num) {
		case "d", "day", "days":
		case "w", "wk", "week", "weeks":
			unit *= 7
		default:
			return time.Time{}, errors.New("I could not read how long to pause. " + example)
		}
		n, err := strconv.Atoi(num)
		if err != nil || n <= 0 {
			return time.Time{}, errors.New("I could not read how long to pause. " + example)
		}
		if n > int(maxPause/unit) {
			n = int(maxPause/unit) + 1 // too long; and n*unit must not overflow into a short pause
		}
		until = now.Add(time.Duration(n) * unit)
	}
	switch {
	case !until.After(now):
		return time.Time{}, errors.New("That date has already passed. " + example)
	case until.Sub(now) > maxPause:
		return time.Time{}, errors.New("I can pause for up to a year at a time; `/lead-tip stop` stops the nudges for good.")
	}
	return until, nil
}

// resume ends a pause (or restarts after stop) from the next slot on.
func (b *Bot) resume(ctx context.Context, log *slog.Logger, who person) message {
	sub, loc, msg, ok := b.ownSubscription(ctx, log, who)
	if !ok {
		return msg
	}
	if sub.Status == storage.StatusActive && !sub.NextAt.IsZero() {
		return textMessage("You were not paused: your nudges come " + scheduleWords(sub, loc) + ". Next one: *" + formatWhen(sub.NextAt, loc) + "*.")
	}
	sub.Status, sub.PausedUntil = storage.StatusActive, time.Time{}
	sub.NextAt = calendar.NextSlot(calendar.Days(sub.Days), sub.Minute, loc, b.now())
	sub.DigestNextAt = nextDigest(sub, loc, b.now())
	if err := b.store.SaveSubscription(ctx, sub); err != nil {
		log.Error("could not resume", keyErr, err)
		return textMessage(msgSorry)
	}
	log.Info("resumed")
	b.poke()
	b.homeChanged(ctx, log, who.id)
	return textMessage("*Welcome back.* Your nudges come " + scheduleWords(sub, loc) + ". Next one: *" + formatWhen(sub.NextAt, loc) + "*.")
}

// stop ends the subscription. The history is kept (forget deletes it).
func (b *Bot) stop(ctx context.Context, log *slog.Logger, who person) message {
	sub, _, msg, ok := b.ownSubscription(ctx, log, who)
	if !ok {
		return msg
	}
	sub.Status, sub.PausedUntil, sub.NextAt = storage.StatusStopped, time.Time{}, time.Time{}
	if err := b.store.SaveSubscription(ctx, sub); err != nil {
		log.Error("could not stop", keyErr, err)
		return textMessage(msgSorry)
	}
	log.Info("stopped")
	b.homeChanged(ctx, log, who.id)
	return textMessage("Stopped: no more nudges. Your history stays (`/lead-tip history`); `/lead-tip start` whenever you want them back.")
}

// ownSubscription loads the caller's subscription, or returns the message
// to show someone who never subscribed.
func (b *Bot) ownSubscription(ctx context.Context, log *slog.Logger, who person) (storage.Subscription, *time.Location, message, bool) {
	sub, err := b.store.Subscription(ctx, who.id)
	if errors.Is(err, storage.ErrNotFound) {
		return sub, nil, textMessage("You are not subscribed to nudges yet. `/lead-tip start` subscribes you (Monday, Wednesday and Friday at 09:30 your time)."), false
	}
	if err != nil {
		log.Error("could not read subscription", keyErr, err)
		return sub, nil, textMessage(msgSorry), false
	}
	_, loc := b.user(ctx, log, who.id, who.team)
	return sub, loc, message{}, true
}

// userChanged keeps a known user's timezone current (Slack sends
// user_change when a profile changes) and moves their next nudge and
// digest so that they stay at the same local time. The event is
// acknowledged once both are stored; if either cannot be, it is not, and
// Slack sends it again. The timezone is saved last, so that a redelivery
// still sees it changed and moves the schedule.
func (b *Bot) userChanged(ctx context.Context, log *slog.Logger, env *socket.Envelope, ev *slackevents.UserChangeEvent) {
	if ev.User.TZ == "" {
		return
	}
	u, err := b.store.User(ctx, ev.User.ID)
	if errors.Is(err, storage.ErrNotFound) {
		return // not someone the bot knows
	}
	log = log.With(keyUser, ev.User.ID)
	if err != nil {
		log.Error("could not read the user whose profile changed; left for Slack to send again", keyErr, err)
		env.Nack()
		return
	}
	if u.TZ == ev.User.TZ {
		return // nothing that matters to us changed
	}
	sub, err := b.store.Subscription(ctx, u.ID)
	switch {
	case errors.Is(err, storage.ErrNotFound):
	case err != nil:
		log.Error("could not read the schedule to move to the new timezone; left for Slack to send again", keyErr, err)
		env.Nack()
		return
	case sub.Status != storage.StatusStopped:
		loc := calendar.LoadLocation(ev.User.TZ)
		sub.NextAt = calendar.NextSlot(calendar.Days(sub.Days), sub.Minute, loc, b.now())
		if sub.DigestOn { // Friday 16:00 where the user is now; a week sent already stays sent
			sub.DigestNextAt = calendar.NextSlot(digestDay, digestMinute, loc, b.now())
		}
		if err := b.store.SaveSubscription(ctx, sub); err != nil {
			log.Error("could not move the next nudge to the new timezone; left for Slack to send again", keyErr, err)
			env.Nack()
			return
		}
	}
	if err := b.store.SaveUser(ctx, storage.User{ID: u.ID, TZ: ev.User.TZ, TZCheckedAt: b.now()}); err != nil {
		log.Error("could not save the new timezone; left for Slack to send again", keyErr, err)
		env.Nack()
		return
	}
	log.Info("timezone changed; schedule moved", keyTZ, ev.User.TZ)
}
