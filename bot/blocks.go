package bot

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/leadcoach/leadbot/prompts"
)

// Action ids of the buttons the bot puts in messages.
const (
	actionAnotherTip = "tip_another"
	actionShareTip   = "tip_share"
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

// noMatchIntro is the line shown above a general tip when a search found
// nothing that fits.
func noMatchIntro(a prompts.Answer, searched bool) string {
	if searched && !a.Matched {
		return msgNoMatch
	}
	return ""
}

// tipMessage renders an answer: an optional intro, the tip, the thing to
// try this week, where it comes from, and the "Another tip" and "Share in
// channel" buttons. The content is ours and validated free of mrkdwn
// control characters, but it is escaped anyway.
func tipMessage(a prompts.Answer, searched bool) message {
	var blocks []slack.Block
	if intro := noMatchIntro(a, searched); intro != "" {
		blocks = append(blocks, contextLine(intro))
	}
	blocks = append(blocks, section(":bulb: "+escape(a.Tip.Text)))
	if a.Tip.Try != "" {
		blocks = append(blocks, section("*Try this week:* "+escape(a.Tip.Try)))
	}
	blocks = append(blocks, contextLine(fmt.Sprintf("%s · from _%s_", escape(a.Topic.Title), escape(a.Tip.Source.Title))))
	if len(a.Suggestions) > 0 {
		var names []string
		for _, t := range a.Suggestions {
			names = append(names, "`"+t.ID+"`")
		}
		blocks = append(blocks, contextLine("You could also ask about "+strings.Join(names, ", ")+", or type `/lead-tip topics` for all of them."))
	}
	blocks = append(blocks, slack.NewActionBlock("tip_actions",
		button(actionAnotherTip, "Another tip", a.Tip.Topic+"|"+a.Tip.ID),
		button(actionShareTip, "Share in channel", a.Tip.ID),
	))
	return message{text: a.Tip.Text, blocks: blocks}
}

// withoutShare removes the "Share in channel" button from a tip message.
func withoutShare(msg message) message {
	for i, blk := range msg.blocks {
		ab, ok := blk.(*slack.ActionBlock)
		if !ok || ab.Elements == nil {
			continue
		}
		var kept []slack.BlockElement
		for _, el := range ab.Elements.ElementSet {
			if btn, ok := el.(*slack.ButtonBlockElement); ok && btn.ActionID == actionShareTip {
				continue
			}
			kept = append(kept, el)
		}
		msg.blocks[i] = slack.NewActionBlock(ab.BlockID, kept...)
	}
	return msg
}

// sharedTipMessage is a tip posted for everyone in a channel, attributed
// to the person who shared it.
func sharedTipMessage(userID string, tip prompts.Tip, topic prompts.Topic) message {
	blocks := []slack.Block{
		section(":bulb: " + escape(tip.Text)),
	}
	if tip.Try != "" {
		blocks = append(blocks, section("*Try this week:* "+escape(tip.Try)))
	}
	blocks = append(blocks, contextLine(fmt.Sprintf("Shared by %s · Lead Coach tip on %s · based on _%s_",
		mention(userID), escape(topic.Title), escape(tip.Source.Title))))
	return message{text: "A tip shared from Lead Coach: " + tip.Text, blocks: blocks}
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
		"• `/lead-tip pause`, `/lead-tip pause 2w`, `/lead-tip pause until 2027-01-10`, `/lead-tip resume`, `/lead-tip stop`",
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
