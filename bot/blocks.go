package bot

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/leadcoach/leadbot/prompts"
)

// message is a reply: a plain-text fallback (shown in notifications) and
// Block Kit blocks.
type message struct {
	text   string
	blocks []slack.Block
}

func (m message) options() []slack.MsgOption {
	opts := []slack.MsgOption{slack.MsgOptionText(m.text, false)}
	if len(m.blocks) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(m.blocks...))
	}
	return opts
}

func textMessage(text string) message {
	return message{text: text, blocks: []slack.Block{section(text)}}
}

func section(mrkdwn string) *slack.SectionBlock {
	return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, mrkdwn, false, false), nil, nil)
}

func contextLine(mrkdwn string) *slack.ContextBlock {
	return slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, mrkdwn, false, false))
}

func button(actionID, label, value string) *slack.ButtonBlockElement {
	return slack.NewButtonBlockElement(actionID, value, slack.NewTextBlockObject(slack.PlainTextType, label, false, false))
}

func helpMessage(unclear bool) message {
	var intro []string
	if unclear {
		intro = append(intro, "I did not quite get that, so here is what I can do.")
	}
	text := strings.Join(append(intro,
		"*Lead Coach* gives you short, practical help for your first months as a manager.",
		"*Tips*",
		"• `/lead-tip` a tip you have not seen yet",
		"• `/lead-tip delegation` a tip on a topic (`/lead-tip topics` lists them)",
		"• `/lead-tip my team misses deadlines` the best tip for your question",
		"*Nudges*: a small challenge by DM on your schedule",
		"• `/lead-tip start` Monday, Wednesday and Friday at 09:30 your time, or `/lead-tip start mon,thu 08:45`",
		"• `/lead-tip schedule tue 16:00` change the days and time",
		"• `/lead-tip nudge` one right now",
		"• `/lead-tip pause`, `/lead-tip pause 2w`, `/lead-tip pause until friday` (or tomorrow, or 2027-01-10), `/lead-tip resume`, `/lead-tip stop`",
		"• `/lead-tip profile` tell me, optionally, when you became a manager and whether you lead former peers: your first 90 days follow a plan that fits",
		"• `/lead-tip history` your last nudges and what you answered (only you see it)",
		"• `/lead-tip digest off` no weekly summary on Fridays (`on` to bring it back)",
		"*Team channels*: one question a week for the whole team (invite me first: `/invite @Lead Coach`)",
		"• `/lead-tip weekly fri 15:00` in the channel: every Friday at 15:00 your time; `/lead-tip weekly` shows it",
		"• `/lead-tip weekly now` this week's right away; `/lead-tip weekly off` turns it off",
		"*Your data*: `/lead-tip export` sends you everything stored about you; `/lead-tip forget` deletes it all",
		"• `/lead-tip help` this list",
	), "\n")
	return message{text: "How to use /lead-tip", blocks: []slack.Block{section(text)}}
}

// topicsMessage lists the topics with their one-line summaries, as
// `leadbot topics` does, in as many sections as Slack's 3000-character
// limit per section needs.
func topicsMessage(lib *prompts.Library) message {
	blocks := []slack.Block{
		section("*Topics you can ask about* (for example `/lead-tip " + lib.Topics[0].ID + "`)"),
	}
	var chunk []string
	size := 0
	for _, t := range lib.Topics {
		line := fmt.Sprintf("• `%s` *%s*: %s", t.ID, escape(t.Title), escape(t.Summary))
		if size+len(line)+1 > maxSectionText && len(chunk) > 0 {
			blocks = append(blocks, section(strings.Join(chunk, "\n")))
			chunk, size = nil, 0
		}
		chunk = append(chunk, line)
		size += len(line) + 1
	}
	if len(chunk) > 0 {
		blocks = append(blocks, section(strings.Join(chunk, "\n")))
	}
	return message{text: "Topics you can ask about", blocks: blocks}
}

// maxSectionText is the most text Slack accepts in one section block.
const maxSectionText = 3000
