package bot

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/leadcoach/leadbot/prompts"
)

// Action ids of the buttons on a tip.
const (
	actionAnotherTip = "tip_another"
	actionShareTip   = "tip_share"
	actionTipUp      = "tip_up"   // value: see voteValue
	actionTipDown    = "tip_down" // value: see voteValue
	// actionTipTopic starts the ids of topic buttons, numbered because
	// Slack wants every action id in a block to be different; the value is
	// the topic id.
	actionTipTopic = "tip_topic_"
)

// Block ids, so that a vote can replace its own row.
const (
	blockTipActions = "tip_actions"
	blockTipTopics  = "tip_topics"
)

// vote is what a user said of a tip with the Helpful? buttons.
type vote int

const (
	noVote vote = iota
	votedUp
	votedDown
)

// tipMessage renders an answer. A matched answer shows the tip, the thing
// to try this week and where it comes from; then "Helpful?" with 👍 and 👎
// (or thanks for the vote already given), "Another tip" and "Share in
// channel"; then "Not quite? Try:" with the next best topics. An answer
// that did not match says so in one line and offers the closest topics,
// with no tip. The content is ours and validated free of mrkdwn control
// characters, but it is escaped anyway.
func tipMessage(a prompts.Answer, v vote) message {
	if !a.Matched {
		return notSureMessage(a.Alternatives)
	}
	blocks := []slack.Block{section(":bulb: " + escape(a.Tip.Text))}
	if a.Tip.Try != "" {
		blocks = append(blocks, section("*Try this week:* "+escape(a.Tip.Try)))
	}
	source := fmt.Sprintf("%s · from _%s_", escape(a.Topic.Title), escape(a.Tip.Source.Title))
	var buttons []slack.BlockElement
	switch v {
	case votedUp, votedDown:
		source += " · " + voteThanks(v)
	default:
		source += " · Helpful?"
		alts := topicIDs(a.Alternatives)
		buttons = append(buttons,
			button(actionTipUp, "👍", voteValue(a.Tip.ID, alts)),
			button(actionTipDown, "👎", voteValue(a.Tip.ID, alts)),
		)
	}
	blocks = append(blocks, contextLine(source))
	buttons = append(buttons,
		button(actionAnotherTip, "Another tip", a.Tip.Topic+"|"+a.Tip.ID),
		button(actionShareTip, "Share in channel", a.Tip.ID),
	)
	blocks = append(blocks, slack.NewActionBlock(blockTipActions, buttons...))
	if len(a.Alternatives) > 0 {
		blocks = append(blocks, contextLine("Not quite? Try:"), topicButtons(a.Alternatives))
	}
	return message{text: a.Tip.Text, blocks: blocks}
}

func voteThanks(v vote) string {
	if v == votedUp {
		return "Thanks, glad it helped."
	}
	return "Thanks for telling me; your vote helps improve the tips."
}

// notSureMessage is the answer to a question no topic fits well: one line
// saying so, and the closest topics as buttons.
func notSureMessage(closest []prompts.Topic) message {
	blocks := []slack.Block{section(msgNotSure)}
	if len(closest) > 0 {
		blocks = append(blocks, topicButtons(closest))
	}
	blocks = append(blocks, contextLine(msgNotSureMore))
	return message{text: msgNotSure, blocks: blocks}
}

func topicButtons(topics []prompts.Topic) *slack.ActionBlock {
	var buttons []slack.BlockElement
	for i, t := range topics {
		buttons = append(buttons, button(actionTipTopic+strconv.Itoa(i), t.Title, t.ID))
	}
	return slack.NewActionBlock(blockTipTopics, buttons...)
}

func topicIDs(topics []prompts.Topic) []string {
	ids := make([]string, len(topics))
	for i, t := range topics {
		ids[i] = t.ID
	}
	return ids
}

// voteValue is the value of a Helpful? button: the tip and the
// alternatives shown with it, so that the message can be drawn again with
// the vote in place of the buttons ("tip-id|topic-a,topic-b").
func voteValue(tipID string, alternatives []string) string {
	return tipID + "|" + strings.Join(alternatives, ",")
}

// parseVoteValue reads a value made by voteValue.
func parseVoteValue(value string) (tipID string, alternatives []string) {
	tipID, alts, _ := strings.Cut(value, "|")
	if alts != "" {
		alternatives = strings.Split(alts, ",")
	}
	return tipID, alternatives
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
