package bot

import (
	"fmt"

	"github.com/slack-go/slack"

	"github.com/leadcoach/leadbot/bot/calendar"
	"github.com/leadcoach/leadbot/prompts"
	"github.com/leadcoach/leadbot/storage"
)

// teamPostMetadataType marks our weekly prompts in Slack's message
// metadata, so that a post interrupted by a crash can be found in the
// channel's history instead of being posted twice.
const teamPostMetadataType = "leadbot_team_prompt"

// weeklySample is the example every weekly correction shows.
const weeklySample = "`/lead-tip weekly fri 15:00`"

// Fixed texts about weekly prompts. None includes raw input.
const (
	msgWeeklyInDM = "The weekly team prompt works in channels: run " + weeklySample +
		" in your team's channel (invite me there first with `/invite @Lead Coach`). " +
		"For a challenge just for you, by DM, use `/lead-tip start`."
	msgWeeklyInGroupDM = "The weekly team prompt works in channels, not in group DMs. Run " + weeklySample +
		" in your team's channel (invite me there first with `/invite @Lead Coach`)."
	msgWeeklyNeedsDayTime = "Tell me one day and a time, for example " + weeklySample +
		" (every Friday at 15:00 your time). `/lead-tip weekly` shows the current setting, `/lead-tip weekly off` turns it off."
	msgWeeklyOneDay = "The team prompt goes out once a week, so pick one day, for example " + weeklySample + "."
	msgWeeklyUnread = "I could not read that as a day and a time. Use a day name like mon or fri and a time like 15:00 or 3pm, for example " +
		weeklySample + "."
	msgWeeklyNotMember  = "I am not a member of this channel yet, so I cannot post here. Invite me with `/invite @Lead Coach`, then run the command again."
	msgWeeklyNotVisible = "I cannot see this channel: it is probably private and I am not in it. Invite me with `/invite @Lead Coach`, " +
		"then run the command again."
	msgWeeklyArchived   = "This channel is archived, so I cannot post here."
	msgWeeklyNotInChan  = "Only people in this channel can set up or change its weekly prompt. Join it first, then run the command again."
	msgWeeklyNoneToStop = "There is no weekly prompt in this channel to turn off."
	msgWeeklyNoneForNow = "There is no weekly prompt in this channel yet. Turn it on first, for example " + weeklySample +
		"; then `/lead-tip weekly now` posts this week's right away."
	msgWeeklyChangedMeanwhile = "Someone changed this channel's weekly prompt just now, so I left it as they set it. " +
		"`/lead-tip weekly` shows the setting; try again if you still want to change it."
	msgWeeklyRetrying = "Slack did not take the post just now. I will try again in a few minutes; nothing is lost."
)

// teamPromptMessage is the weekly prompt as posted in the channel: one
// line on last week's answers (only when someone answered; nobody is ever
// named), a short intro, the question, and where it comes from.
func teamPromptMessage(p prompts.TeamPrompt, answeredLastWeek int) message {
	var blocks []slack.Block
	if line := answeredLine(answeredLastWeek); line != "" {
		blocks = append(blocks, contextLine(line))
	}
	blocks = append(blocks,
		section(":speech_balloon: *Question of the week for the team*"),
		section(escape(p.Text)),
		contextLine(fmt.Sprintf("Reply in this thread. Lead Coach keeps replies only to count how many of you answered (nobody is named); editing or deleting yours updates its copy, and `/lead-tip forget` deletes it. · from _%s_",
			escape(p.Source.Title))),
	)
	return message{text: "Question of the week: " + escape(p.Text), blocks: blocks}
}

// answeredLine thanks the people who answered last week's prompt, counted,
// never named; there is no line when nobody answered.
func answeredLine(n int) string {
	switch {
	case n <= 0:
		return ""
	case n == 1:
		return "Last week one of you answered: thank you!"
	default:
		return fmt.Sprintf("Last week %d of you answered: thank you!", n)
	}
}

// weeklyWords says when a channel's prompt goes out: "every Friday at
// 15:00 (Europe/Berlin)".
func weeklyWords(w weeklySchedule) string {
	return fmt.Sprintf("every %s at %s (%s)", w.day, calendar.Clock(w.minute), w.loc)
}

// pauseWords explains, for the person who set it, why a channel's prompt
// paused, from the Slack error that paused it.
func pauseWords(reason string) string {
	switch reason {
	case "is_archived":
		return "the channel was archived"
	case "not_in_channel":
		return "I was removed from the channel"
	case "channel_not_found":
		return "I can no longer see the channel (it was deleted, or made private without me)"
	default:
		return "Slack would not let me post there"
	}
}

// teamPausedDM tells the person who set a channel's prompt that it has
// paused, why, and how to start it again.
func teamPausedDM(c storage.TeamChannel, reason string) message {
	w := scheduleOf(c)
	again := fmt.Sprintf("`/lead-tip weekly %s %s`", dayWord(w.day), calendar.Clock(w.minute))
	var how string
	switch reason {
	case "is_archived":
		how = "To start it again, unarchive the channel and run " + again + " there."
	case "channel_not_found":
		how = "If the team moved to another channel, run " + again + " there; if the channel is private, invite me (`/invite @Lead Coach`) and run it again."
	default:
		how = "To start it again, invite me back (`/invite @Lead Coach`) and run " + again + " in the channel."
	}
	text := fmt.Sprintf("I could not post the weekly team prompt in %s: %s. I have paused it and will not try again until someone turns it back on.\n%s",
		channelMention(c.ChannelID), pauseWords(reason), how)
	return textMessage(text)
}
