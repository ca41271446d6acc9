package bot

import (
	"fmt"
	"strconv"
	"time"

	"github.com/slack-go/slack"

	"github.com/leadcoach/leadbot/prompts"
	"github.com/leadcoach/leadbot/storage"
)

// Action ids of the nudge buttons; their value is the delivery id.
const (
	actionNudgeDone   = "nudge_done"
	actionNudgeNotYet = "nudge_not_yet"
	actionNudgeSkip   = "nudge_skip"
)

// nudgeMetadataType marks our nudge messages in Slack's message metadata,
// with the delivery id, so a message can be matched to its delivery.
const nudgeMetadataType = "leadbot_nudge"

// nudgeMessage renders a nudge: the challenge, why it matters (naming the
// article), the question to reflect on, and the Done / Not yet / Skip
// buttons.
func nudgeMessage(n prompts.Nudge, d storage.Delivery, note string) message {
	blocks := nudgeBody(n, d)
	if note != "" {
		blocks = append(blocks, contextLine(":seedling: "+escape(note)))
	}
	id := strconv.FormatInt(d.ID, 10)
	done := button(actionNudgeDone, "Done", id)
	done.Style = slack.StylePrimary
	blocks = append(blocks, slack.NewActionBlock("nudge_actions",
		done,
		button(actionNudgeNotYet, "Not yet", id),
		button(actionNudgeSkip, "Skip", id),
	))
	return message{text: "New challenge: " + n.Title, blocks: blocks}
}

func nudgeBody(n prompts.Nudge, d storage.Delivery) []slack.Block {
	var blocks []slack.Block
	if d.Source == storage.SourceReask {
		blocks = append(blocks, contextLine("Back to this one, as you asked."))
	}
	blocks = append(blocks,
		slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, n.Title, true, false)),
		section(escape(n.Challenge)),
		contextLine(fmt.Sprintf("*Why:* %s · from _%s_", escape(n.Why), escape(n.Source.Title))),
		section(fmt.Sprintf("*To reflect on:* %s\nReply in this thread when you have a moment: I keep it in your history.", escape(n.Question))),
	)
	return blocks
}

// nudgeAnswered is the nudge after a button press: the same text with the
// buttons replaced by the choice, so it cannot be pressed twice by mistake.
func nudgeAnswered(n prompts.Nudge, d storage.Delivery, loc *time.Location) message {
	blocks := nudgeBody(n, d)
	var line string
	switch d.Outcome {
	case storage.OutcomeDone:
		line = ":white_check_mark: *Done.* Well done. A line in the thread on how it went will help you see how far you have come."
	case storage.OutcomeNotYet:
		line = fmt.Sprintf(":hourglass_flowing_sand: *Not yet.* I will ask again on %s.", formatWhen(d.ReaskAt, loc))
	case storage.OutcomeSkipped:
		line = ":fast_forward: *Skipped.* Another challenge comes next time."
	default:
		line = ":speech_balloon: *Answered in the thread.* Thank you."
	}
	blocks = append(blocks, section(line))
	return message{text: "New challenge: " + n.Title, blocks: blocks}
}

// followupMessage is the one gentle reminder in a nudge's thread.
func followupMessage(n prompts.Nudge) message {
	text := fmt.Sprintf("A gentle nudge: how is *%s* going? A line here is enough, or press a button above. No pressure either way.", escape(n.Title))
	return message{text: text, blocks: []slack.Block{section(text)}}
}

// replyThanks answers a reply in the nudge's thread: one sentence, and a
// related tip when one fits.
func replyThanks(tip *prompts.Answer) message {
	blocks := []slack.Block{section("Thank you for writing it down: it is in your history now, and reflecting like this is how the new habits stick.")}
	if tip != nil {
		blocks = append(blocks, section(":bulb: "+escape(tip.Tip.Text)),
			contextLine(fmt.Sprintf("%s · from _%s_", escape(tip.Topic.Title), escape(tip.Tip.Source.Title))))
	}
	return message{text: "Thank you: noted in your history.", blocks: blocks}
}
