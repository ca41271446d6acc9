package bot

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/leadcoach/leadbot/bot/socket"
	"github.com/leadcoach/leadbot/prompts"
	"github.com/leadcoach/leadbot/storage"
)

// dmReplyWindow is how long after a nudge a plain DM to the bot counts as
// the answer to it.
const dmReplyWindow = 48 * time.Hour

// handleMessage records a user's message in a DM with the bot: a reply in
// a nudge's thread, or a DM within dmReplyWindow of the latest nudge. It is
// stored (with the event id, so a redelivery stores nothing twice) before
// the envelope is acknowledged; the short thank-you comes after.
func (b *Bot) handleMessage(ctx context.Context, log *slog.Logger, env *socket.Envelope, eventID string, ev *slackevents.MessageEvent) {
	if ev.ChannelType == slackevents.ChannelTypeChannel || ev.ChannelType == slackevents.ChannelTypeGroup {
		b.handleTeamMessage(ctx, log, env, eventID, ev) // replies to weekly team prompts
		return
	}
	if ev.ChannelType != slackevents.ChannelTypeIM {
		return
	}
	switch ev.SubType {
	case "", "file_share", "thread_broadcast":
	case "message_changed":
		b.editedMessage(ctx, log, env, eventID, ev)
		return
	case "message_deleted":
		b.deletedMessage(ctx, log, env, eventID, ev)
		return
	default:
		return // joins, bot messages and other system messages
	}
	if ev.BotID != "" || ev.User == "" || ev.User == env.Me.UserID {
		return // never answer a bot, least of all ourselves
	}
	log = log.With(keyUser, ev.User, keyChannel, ev.Channel)

	var d storage.Delivery
	var err error
	via := storage.ViaThread
	if ev.ThreadTimeStamp != "" && ev.ThreadTimeStamp != ev.TimeStamp {
		d, err = b.store.DeliveryByMessage(ctx, ev.User, ev.Channel, ev.ThreadTimeStamp)
		if errors.Is(err, storage.ErrNotFound) {
			d, err = b.unrecordedNudge(ctx, log, env.Me, ev.User, ev.Channel, ev.ThreadTimeStamp)
		}
	} else {
		via = storage.ViaDM
		if err = b.unrecordedDMNudges(ctx, log, env.Me, ev.User, ev.Channel, ev.TimeStamp); err == nil {
			d, err = b.store.LatestSent(ctx, ev.User, b.now().Add(-dmReplyWindow))
		}
	}
	if errors.Is(err, storage.ErrNotFound) {
		env.Ack(nil)
		log.Info("message not stored", keyReason, "answers no recent nudge", keyVia, via)
		b.answerStrayDM(ctx, log, ev)
		return
	}
	if err != nil {
		// Not acknowledged: Slack will deliver the event again.
		log.Error("could not look up the nudge a message answers", keyErr, err)
		env.Nack()
		return
	}
	stored, err := b.store.RecordReply(ctx, eventID, storage.Reply{
		DeliveryID: d.ID, UserID: ev.User, Channel: ev.Channel, TS: ev.TimeStamp,
		ThreadTS: ev.ThreadTimeStamp, Text: ev.Text, Via: via,
	})
	if err != nil {
		log.Error("could not record reply", keyErr, err)
		env.Nack()
		return
	}
	env.Ack(nil)
	if !stored {
		log.Info("message not stored", keyReason, "recorded already, or deleted before it came", keyDelivery, d.ID)
		return
	}
	log.Info("reply recorded", keyDelivery, d.ID, keyVia, via)
	b.metrics.replyRecorded(via)
	b.homeChanged(ctx, log, ev.User)
	replies, err := b.store.Replies(ctx, ev.User, d.ID)
	if err != nil {
		log.Warn("could not count the replies to the nudge; thanking as for a first", keyErr, err)
	}
	if len(replies) > 1 {
		return // thanked for the first reply already; no chatter
	}
	b.thank(ctx, log, d, ev.Text)
}

// thank answers the first reply to a nudge in its thread: one sentence, and
// a tip on the nudge's own topic (what the user is working on), or, for a
// nudge no longer in the library, one related to what they wrote.
func (b *Bot) thank(ctx context.Context, log *slog.Logger, d storage.Delivery, text string) {
	if d.Kind == storage.KindLookBack {
		b.post(ctx, log, d.Channel, d.TS, textMessage(msgLookBackKept))
		return
	}
	var tip *prompts.Answer
	if n, ok := b.nudgeFor(d); ok {
		if a, ok := b.lib.Another(n.Topic, "", nil); ok {
			tip = &a
		}
	}
	if tip == nil {
		if a := b.lib.Answer(text, nil); a.Matched {
			tip = &a
		}
	}
	b.post(ctx, log, d.Channel, d.TS, replyThanks(tip))
}

// post answers in the thread ts of channel; a failure is logged.
func (b *Bot) post(ctx context.Context, log *slog.Logger, channel, ts string, msg message) {
	if _, _, err := b.api.PostMessageContext(ctx, channel, append(msg.options(), slack.MsgOptionTS(ts))...); err != nil {
		log.Warn("could not answer the reply", keyErr, slackErrorCode(err))
	}
}

// answerStrayDM answers a DM that is not about a recent nudge: it is not
// stored, and the user is told so; a message long enough to be a question
// also gets the tip that fits it, if one does (without "Share in channel",
// which has no channel to share to in a DM).
func (b *Bot) answerStrayDM(ctx context.Context, log *slog.Logger, ev *slackevents.MessageEvent) {
	msg := textMessage(msgStrayDM)
	if utf8.RuneCountInString(strings.TrimSpace(ev.Text)) >= strayTipMin {
		if a := b.lib.Answer(ev.Text, nil); a.Matched {
			tip := withoutShare(tipMessage(a, noVote))
			msg.blocks = append(msg.blocks, tip.blocks...)
		}
	}
	opts := msg.options()
	if ev.ThreadTimeStamp != "" {
		opts = append(opts, slack.MsgOptionTS(ev.ThreadTimeStamp))
	}
	if _, _, err := b.api.PostMessageContext(ctx, ev.Channel, opts...); err != nil {
		log.Warn("could not answer a DM", keyErr, slackErrorCode(err))
	}
}

func (b *Bot) editedMessage(ctx context.Context, log *slog.Logger, env *socket.Envelope, eventID string, ev *slackevents.MessageEvent) {
	if ev.Message == nil || ev.Message.User == "" {
		return
	}
	changed, err := b.store.EditReply(ctx, eventID, ev.Message.User, ev.Channel, ev.Message.Timestamp, ev.Message.Text)
	if err != nil {
		log.Error("could not update an edited reply", keyErr, err)
		env.Nack()
		return
	}
	if changed {
		log.Info("reply edited", keyUser, ev.Message.User)
	}
}

func (b *Bot) deletedMessage(ctx context.Context, log *slog.Logger, env *socket.Envelope, eventID string, ev *slackevents.MessageEvent) {
	ts := ev.DeletedTimeStamp
	if ts == "" && ev.PreviousMessage != nil {
		ts = ev.PreviousMessage.Timestamp
	}
	if ts == "" {
		return
	}
	changed, err := b.store.DeleteReply(ctx, eventID, ev.Channel, ts)
	if err != nil {
		log.Error("could not delete a deleted reply", keyErr, err)
		env.Nack()
		return
	}
	if changed {
		log.Info("reply deleted", keyChannel, ev.Channel)
	}
}
