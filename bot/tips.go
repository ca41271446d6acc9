package bot

import (
	"context"
	"log/slog"
	"strings"

	"github.com/slack-go/slack"

	"github.com/leadcoach/leadbot/bot/socket"
	"github.com/leadcoach/leadbot/prompts"
)

// tipHistory is what a user has been shown, to prefer tips they have not
// seen. It is loaded once per request.
type tipHistory struct {
	times map[string]int
	least int // the fewest times any tip was shown: 0 until a full round
}

func (b *Bot) tipHistory(ctx context.Context, log *slog.Logger, userID string) tipHistory {
	h := tipHistory{times: map[string]int{}}
	seen, err := b.store.TipsSeen(ctx, userID)
	if err != nil {
		// Not knowing what was seen only makes a repeat more likely.
		log.Warn("could not read tips seen", keyErr, err)
		return h
	}
	for id, s := range seen {
		h.times[id] = s.Times
	}
	if len(h.times) == len(b.lib.Tips) {
		h.least = -1
		for _, n := range h.times {
			if h.least < 0 || n < h.least {
				h.least = n
			}
		}
	}
	return h
}

func (h tipHistory) count(id string) int { return h.times[id] }

// seen reports whether the tip was shown in the current round.
func (h tipHistory) seen(id string) bool { return h.times[id] > h.least }

// tipReply answers a search, or with an empty query gives the tip the user
// has seen least, and remembers what was shown. A hint, if any, is added
// as a line below the tip.
func (b *Bot) tipReply(ctx context.Context, log *slog.Logger, userID, query, hint string) message {
	h := b.tipHistory(ctx, log, userID)
	var a prompts.Answer
	if strings.TrimSpace(query) == "" {
		a = b.lib.Fresh(userID, h.count)
	} else {
		a = b.lib.Answer(query, h.seen)
	}
	b.shown(ctx, log, userID, a)
	msg := tipMessage(a, noVote)
	if hint != "" {
		// Above the buttons, which stay last.
		last := len(msg.blocks) - 1
		msg.blocks = append(msg.blocks[:last:last], contextLine(hint), msg.blocks[last])
	}
	return msg
}

// shown records that a tip was shown; failing to record is logged, not
// shown to the user, who has their tip. An answer without a tip (not
// sure) is only logged.
func (b *Bot) shown(ctx context.Context, log *slog.Logger, userID string, a prompts.Answer) {
	if !a.Matched {
		log.Info("tip", keyMatched, false, keyScore, a.Score)
		return
	}
	log.Info("tip", keyTip, a.Tip.ID, keyMatched, true, keyScore, a.Score)
	if err := b.store.RecordTipShown(ctx, userID, a.Tip.ID); err != nil {
		log.Warn("could not record tip shown", keyErr, err)
	}
}

// anotherTip answers the "Another tip" button: a tip of the same topic that
// is not the one on screen.
func (b *Bot) anotherTip(ctx context.Context, log *slog.Logger, cb slack.InteractionCallback, value string) {
	topic, current, _ := strings.Cut(value, "|")
	h := b.tipHistory(ctx, log, cb.User.ID)
	a, ok := b.lib.Another(topic, current, h.seen)
	if !ok {
		// An old message whose topic no longer exists: any fresh tip will do.
		a = b.lib.Fresh(cb.User.ID, h.count)
	}
	b.shown(ctx, log, cb.User.ID, a)
	if err := b.respond(ctx, cb.ResponseURL, tipMessage(a, noVote)); err != nil {
		log.Error("could not send another tip", keyErr, err)
	}
}

// topicTip answers a topic button ("Not quite? Try:" or the topics offered
// when a question matched nothing): a tip of that topic, preferring one
// the user has not seen.
func (b *Bot) topicTip(ctx context.Context, log *slog.Logger, cb slack.InteractionCallback, topic string) {
	h := b.tipHistory(ctx, log, cb.User.ID)
	a, ok := b.lib.Another(topic, "", h.seen)
	if !ok {
		// An old message whose topic no longer exists: any fresh tip will do.
		a = b.lib.Fresh(cb.User.ID, h.count)
	}
	b.shown(ctx, log, cb.User.ID, a)
	if err := b.respond(ctx, cb.ResponseURL, tipMessage(a, noVote)); err != nil {
		log.Error("could not send the topic's tip", keyErr, err)
	}
}

// voteTip stores a Helpful? vote, then acknowledges, and draws the tip
// again with thanks in place of the buttons. A vote that cannot be stored
// is not acknowledged, so Slack shows the user that it did not work.
func (b *Bot) voteTip(ctx context.Context, log *slog.Logger, env *socket.Envelope, cb slack.InteractionCallback, helpful bool, value string) {
	tipID, alts := parseVoteValue(value)
	tip, known := b.lib.Tip(tipID)
	if !known {
		env.Ack(nil)
		log.Warn("vote on an unknown tip ignored", keyTip, tipID)
		return
	}
	if err := b.store.RecordTipVote(ctx, cb.User.ID, tipID, helpful); err != nil {
		env.Nack()
		log.Error("could not store a vote", keyTip, tipID, keyErr, err)
		return
	}
	env.Ack(nil)
	b.metrics.tipVoted(helpful)
	log.Info("tip vote", keyTip, tipID, keyHelpful, helpful)

	topic, _ := b.lib.Topic(tip.Topic)
	a := prompts.Answer{Tip: tip, Topic: topic, Matched: true}
	for _, id := range alts {
		if t, ok := b.lib.Topic(id); ok {
			a.Alternatives = append(a.Alternatives, t)
		}
	}
	v := votedDown
	if helpful {
		v = votedUp
	}
	// The answer to /lead-tip is ephemeral and drawn again; a tip inside a
	// DM, whose other blocks are not ours to redraw, gets a short thanks.
	if cb.Container.IsEphemeral {
		b.replaceOriginal(ctx, log, cb, tipMessage(a, v))
		return
	}
	if err := b.respond(ctx, cb.ResponseURL, textMessage(voteThanks(v))); err != nil {
		log.Warn("could not thank for a vote", keyErr, err)
	}
}

// shareTip answers "Share in channel": the tip is posted visibly where the
// button was pressed, saying who shared it. It goes through the response_url
// so it works in any channel, whether or not the bot is a member.
func (b *Bot) shareTip(ctx context.Context, log *slog.Logger, cb slack.InteractionCallback, tipID string) {
	tip, ok := b.lib.Tip(tipID)
	if !ok {
		log.Warn("share of an unknown tip", keyTip, tipID)
		if err := b.respond(ctx, cb.ResponseURL, textMessage(msgTipGone)); err != nil {
			log.Error("could not answer", keyErr, err)
		}
		return
	}
	topic, _ := b.lib.Topic(tip.Topic)
	msg := sharedTipMessage(cb.User.ID, tip, topic)
	opts := append(msg.options(),
		slack.MsgOptionResponseURL(cb.ResponseURL, slack.ResponseTypeInChannel),
	)
	if _, _, err := b.api.PostMessageContext(ctx, "", opts...); err != nil {
		log.Error("could not share the tip", keyErr, withoutURL(err))
		return
	}
	log.Info("tip shared", keyTip, tipID)
}
