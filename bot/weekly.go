package bot

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/leadcoach/leadbot/bot/calendar"
	"github.com/leadcoach/leadbot/storage"
)

// maxMemberPages bounds the conversations.members pages read to check that
// someone is in a channel (1000 members a page).
const maxMemberPages = 20

// weekly handles "/lead-tip weekly" in a channel: with a day and a time it
// turns the channel's weekly prompt on (or changes it), "off" turns it off,
// "now" posts this week's prompt at once, and nothing shows the setting.
func (b *Bot) weekly(ctx context.Context, log *slog.Logger, sc slack.SlashCommand, cmd command) message {
	if strings.HasPrefix(sc.ChannelID, "D") {
		return textMessage(msgWeeklyInDM)
	}
	sub := ""
	if len(cmd.args) > 0 {
		sub = strings.ToLower(cmd.args[0])
	}
	switch sub {
	case "", "show", "status", "?":
		return b.weeklyShow(ctx, log, sc.ChannelID)
	case "off", "stop", "disable":
		return b.weeklyOff(ctx, log, sc)
	case "now":
		return b.weeklyNow(ctx, log, sc)
	case "on", "start":
		if len(cmd.args) == 1 {
			return textMessage(msgWeeklyNeedsDayTime)
		}
		return b.weeklySet(ctx, log, sc, cmd.args[1:])
	default:
		return b.weeklySet(ctx, log, sc, cmd.args)
	}
}

// teamChannel returns the channel's setting, with found false when the
// weekly prompt was never turned on there.
func (b *Bot) teamChannel(ctx context.Context, channelID string) (storage.TeamChannel, bool, error) {
	c, err := b.store.TeamChannel(ctx, channelID)
	if errors.Is(err, storage.ErrNotFound) {
		return c, false, nil
	}
	return c, err == nil, err
}

// weeklySet turns the prompt on with the day and time in args, or changes
// it. A member of the channel may turn it on where it is off; an existing
// setting (active or paused) only changes for those mayChange allows.
// Nothing is stored unless the bot can post in the channel.
func (b *Bot) weeklySet(ctx context.Context, log *slog.Logger, sc slack.SlashCommand, args []string) message {
	days, minute, haveDays, haveTime, err := parseSchedule(args)
	if err != nil {
		return textMessage(msgWeeklyUnread)
	}
	if !haveDays || !haveTime {
		return textMessage(msgWeeklyNeedsDayTime)
	}
	day, ok := days.Only()
	if !ok {
		return textMessage(msgWeeklyOneDay)
	}
	cur, found, err := b.teamChannel(ctx, sc.ChannelID)
	if err != nil {
		log.Error("could not read the weekly setting", keyErr, err)
		return textMessage(msgSorry)
	}
	existing := found && cur.Status != storage.ChannelOff
	if existing {
		if msg, ok := b.checkMayChange(ctx, log, sc.UserID, cur, "set"); !ok {
			return msg
		}
	}
	if msg, ok := b.checkBotCanPost(ctx, log, sc.ChannelID); !ok {
		return msg
	}
	if !existing {
		member, err := b.isMember(ctx, sc.ChannelID, sc.UserID)
		if err != nil {
			log.Error("could not read the channel's members", keyErr, slackErrorCode(err))
			return textMessage(msgSorry)
		}
		if !member {
			log.Info("weekly change refused: not a member of the channel", keyAction, "set")
			return textMessage(msgWeeklyNotInChan)
		}
	}

	u, loc := b.user(ctx, log, sc.UserID, sc.TeamID)
	w := weeklySchedule{day: day, minute: minute, loc: loc}
	next, err := b.firstFreeSlot(ctx, sc.ChannelID, w)
	if err != nil {
		log.Error("could not read this week's prompt", keyErr, err)
		return textMessage(msgSorry)
	}
	c := storage.TeamChannel{
		ChannelID: sc.ChannelID, TeamID: sc.TeamID, OwnerID: sc.UserID, TZ: u.TZ,
		Weekday: day, Minute: minute, Status: storage.ChannelActive, NextAt: next,
	}
	// Only if nobody changed the setting since it was read: the checks
	// above were made against what was read.
	saved, err := b.store.ReplaceTeamChannel(ctx, c, cur, found)
	if err != nil {
		log.Error("could not save the weekly setting", keyErr, err)
		return textMessage(msgSorry)
	}
	if !saved {
		log.Info("weekly change refused: the setting changed meanwhile", keyAction, "set")
		return textMessage(msgWeeklyChangedMeanwhile)
	}
	log.Info("weekly prompt set", keyAction, "set", keyWas, cur.Status, keyWeekday, int(day), keyMinute, minute, keyOwner, sc.UserID)
	b.poke()

	head := "*Weekly prompt on.*"
	switch {
	case existing && cur.Status == storage.ChannelPaused:
		head = "*Weekly prompt back on.*"
	case existing:
		head = "*Weekly prompt updated.*"
	}
	lines := []string{
		head + " I will post one question for the team in this channel " + weeklyWords(w) + ", your timezone; answers go in its thread.",
		"Next one: *" + formatWhen(c.NextAt, w.loc) + "*.",
	}
	if u.TZ == "" {
		lines = append(lines, "I could not read your timezone from Slack, so I am using UTC.")
	}
	offerNow := "`/lead-tip weekly now` posts this week's right away; "
	_, posted, err := b.postInWeek(ctx, sc.ChannelID, calendar.WeekOf(b.now(), w.loc))
	if err != nil {
		log.Warn("could not tell whether this week's prompt went out; not offering weekly now", keyErr, err)
	}
	if posted || err != nil {
		offerNow = "" // this week's went out already (or it may have: no offer)
	}
	lines = append(lines, offerNow+"`/lead-tip weekly off` turns it off. If I cannot post here, I will tell you by DM.")
	return textMessage(strings.Join(lines, "\n"))
}

// firstFreeSlot returns w's first slot from now on in a calendar week
// that has no post in the channel yet: a week gets one prompt, even when
// its schedule changes after it went out.
func (b *Bot) firstFreeSlot(ctx context.Context, channelID string, w weeklySchedule) (time.Time, error) {
	next := w.next(b.now())
	_, err := b.store.TeamPostInWeek(ctx, channelID, w.week(next))
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return next, nil
	case err != nil:
		return time.Time{}, err
	}
	return w.firstAfterWeekOf(next), nil
}

// weeklyOff turns the channel's prompt off, for those mayChange allows.
func (b *Bot) weeklyOff(ctx context.Context, log *slog.Logger, sc slack.SlashCommand) message {
	cur, found, err := b.teamChannel(ctx, sc.ChannelID)
	if err != nil {
		log.Error("could not read the weekly setting", keyErr, err)
		return textMessage(msgSorry)
	}
	if !found || cur.Status == storage.ChannelOff {
		return textMessage(msgWeeklyNoneToStop)
	}
	if msg, ok := b.checkMayChange(ctx, log, sc.UserID, cur, "off"); !ok {
		return msg
	}
	if _, err := b.store.TurnOffTeamChannel(ctx, sc.ChannelID); err != nil {
		log.Error("could not turn the weekly prompt off", keyErr, err)
		return textMessage(msgSorry)
	}
	log.Info("weekly prompt turned off", keyAction, "off", keyOwner, cur.OwnerID)
	return textMessage("Weekly prompt turned off in this channel. " + weeklySample + " turns it on again.")
}

// checkMayChange returns the refusal to show, and false, unless userID may
// change the channel's existing setting c. Every attempt is logged, with
// ids only.
func (b *Bot) checkMayChange(ctx context.Context, log *slog.Logger, userID string, c storage.TeamChannel, action string) (message, bool) {
	ok, err := b.mayChange(ctx, userID, c)
	if err != nil {
		log.Error("could not read the user's role", keyAction, action, keyErr, slackErrorCode(err))
		return textMessage(msgSorry), false
	}
	if !ok && c.OwnerID == "" {
		log.Info("weekly change refused: not a member of the channel", keyAction, action)
		return textMessage(msgWeeklyNotInChan), false
	}
	if !ok {
		log.Info("weekly change refused", keyAction, action, keyOwner, c.OwnerID)
		return textMessage("Only " + mention(c.OwnerID) + ", who set up this channel's weekly prompt, a workspace admin or owner, " +
			"or a Lead Coach admin can change it, post one early or turn it off. If you would like a different day or time, ask " +
			mention(c.OwnerID) + "."), false
	}
	return message{}, true
}

// mayChange reports whether userID may change or turn off c: the person
// who set it, a Lead Coach admin (LEADBOT_ADMINS), or a workspace admin or
// owner according to users.info. A setting whose owner asked to be
// forgotten belongs to the channel: any member may change it. It returns
// Slack's error if Slack cannot tell.
func (b *Bot) mayChange(ctx context.Context, userID string, c storage.TeamChannel) (bool, error) {
	if (c.OwnerID != "" && userID == c.OwnerID) || b.admins[userID] {
		return true, nil
	}
	info, err := b.api.GetUserInfoContext(ctx, userID)
	if err != nil {
		return false, err
	}
	if info.IsAdmin || info.IsOwner || info.IsPrimaryOwner {
		return true, nil
	}
	if c.OwnerID == "" {
		return b.isMember(ctx, c.ChannelID, userID)
	}
	return false, nil
}

// checkBotCanPost returns the explanation to show, and false, unless the
// bot is a member of the channel and may post there. A private channel the
// bot is not in looks, to Slack, like no channel at all.
func (b *Bot) checkBotCanPost(ctx context.Context, log *slog.Logger, channelID string) (message, bool) {
	info, err := b.api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: channelID})
	if err != nil {
		if slackErrorCode(err) == "channel_not_found" {
			return textMessage(msgWeeklyNotVisible), false
		}
		log.Error("could not read the channel", keyErr, slackErrorCode(err))
		return textMessage(msgSorry), false
	}
	switch {
	case info.IsIM:
		return textMessage(msgWeeklyInDM), false
	case info.IsMpIM:
		return textMessage(msgWeeklyInGroupDM), false
	case info.IsArchived:
		return textMessage(msgWeeklyArchived), false
	case !info.IsMember:
		return textMessage(msgWeeklyNotMember), false
	}
	return message{}, true
}

// isMember reports whether userID is in the channel, reading its members
// a page at a time until found.
func (b *Bot) isMember(ctx context.Context, channelID, userID string) (bool, error) {
	cursor := ""
	for range maxMemberPages {
		members, next, err := b.api.GetUsersInConversationContext(ctx, &slack.GetUsersInConversationParameters{
			ChannelID: channelID, Cursor: cursor, Limit: 1000,
		})
		if err != nil {
			return false, err
		}
		for _, m := range members {
			if m == userID {
				return true, nil
			}
		}
		if next == "" {
			return false, nil
		}
		cursor = next
	}
	return false, nil
}
