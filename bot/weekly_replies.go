package bot

import (
	"context"
	"errors"
	"log/slog"

	"github.com/slack-go/slack/slackevents"

	"github.com/leadcoach/leadbot/bot/socket"
	"github.com/leadcoach/leadbot/storage"
)

// handleTeamMessage records a reply in the thread of one of our weekly
// prompts (message.channels and message.groups events), and follows its
// edits and deletion. Like a nudge reply it is stored, with the event id
// so that a redelivery stores nothing twice, before the envelope is
// acknowledged. The bot never answers in a team thread: the conversation
// belongs to the team. Everything else said in the channel is ignored
// without touching the database.
func (b *Bot) handleTeamMessage(ctx context.Context, log *slog.Logger, env *socket.Envelope, eventID string, ev *slackevents.MessageEvent) {
	switch ev.SubType {
	case "", "file_share", "thread_broadcast":
	case "message_changed":
		b.teamReplyEdited(ctx, log, env, eventID, ev)
		return
	case "message_deleted":
		b.teamReplyDeleted(ctx, log, env, eventID, ev)
		return
	default:
		return // joins, bot messages and other system messages
	}
	if ev.ThreadTimeStamp == "" || ev.ThreadTimeStamp == ev.TimeStamp {
		return // not a reply in a thread
	}
	if ev.BotID != "" || ev.User == "" || ev.User == env.Me.UserID {
		return
	}
	log = log.With(keyUser, ev.User, keyChannel, ev.Channel)
	p, ok := b.teamPostOfThread(ctx, log, env, ev.Channel, ev.ThreadTimeStamp)
	if !ok {
		return
	}
	stored, err := b.store.RecordTeamReply(ctx, eventID, storage.TeamReply{
		PostID: p.ID, ChannelID: ev.Channel, UserID: ev.User, TS: ev.TimeStamp, Text: ev.Text,
	})
	if err != nil {
		// Not acknowledged: Slack will deliver the event again.
		log.Error("could not record a team reply", keyErr, err)
		env.Nack()
		return
	}
	if !stored {
		log.Info("message not stored", keyReason, "recorded already, or deleted before it came", keyPost, p.ID)
		return
	}
	log.Info("team reply recorded", keyPost, p.ID)
	b.metrics.replyRecorded(viaTeamThread)
}

// teamPostOfThread returns our post whose thread ts is (recording it as
// sent if it was posted but not recorded yet, see unrecorded.go), and
// false if the thread is someone else's or the lookup failed (then the
// envelope is left unacknowledged, for Slack to deliver again). Either way
// it logs why the message is not stored.
func (b *Bot) teamPostOfThread(ctx context.Context, log *slog.Logger, env *socket.Envelope, channel, ts string) (storage.TeamPost, bool) {
	p, err := b.store.TeamPostByMessage(ctx, channel, ts)
	if errors.Is(err, storage.ErrNotFound) {
		p, err = b.unrecordedTeamPost(ctx, log, env.Me, channel, ts)
	}
	if errors.Is(err, storage.ErrNotFound) {
		// Most threads of a channel are not ours: not worth more than debug.
		log.Debug("message not stored", keyReason, "not in the thread of a weekly prompt")
		return p, false
	}
	if err != nil {
		log.Error("could not look up the thread of a channel message; left for Slack to send again", keyErr, err)
		env.Nack()
		return p, false
	}
	return p, true
}

func (b *Bot) teamReplyEdited(ctx context.Context, log *slog.Logger, env *socket.Envelope, eventID string, ev *slackevents.MessageEvent) {
	m := ev.Message
	if m == nil || m.User == "" || m.ThreadTimestamp == "" || m.ThreadTimestamp == m.Timestamp {
		return
	}
	if _, ok := b.teamPostOfThread(ctx, log, env, ev.Channel, m.ThreadTimestamp); !ok {
		return
	}
	changed, err := b.store.EditTeamReply(ctx, eventID, m.User, ev.Channel, m.Timestamp, m.Text)
	if err != nil {
		log.Error("could not update an edited team reply", keyErr, err)
		env.Nack()
		return
	}
	if changed {
		log.Info("team reply edited", keyUser, m.User, keyChannel, ev.Channel)
	}
}

func (b *Bot) teamReplyDeleted(ctx context.Context, log *slog.Logger, env *socket.Envelope, eventID string, ev *slackevents.MessageEvent) {
	ts := ev.DeletedTimeStamp
	if prev := ev.PreviousMessage; prev != nil {
		if ts == "" {
			ts = prev.Timestamp
		}
		// Slack names the thread of the deleted message: skip the database
		// for messages outside our prompts' threads.
		if prev.ThreadTimestamp == "" || prev.ThreadTimestamp == ts {
			return
		}
		if _, ok := b.teamPostOfThread(ctx, log, env, ev.Channel, prev.ThreadTimestamp); !ok {
			return
		}
	}
	if ts == "" {
		return
	}
	changed, err := b.store.DeleteTeamReply(ctx, eventID, ev.Channel, ts)
	if err != nil {
		log.Error("could not delete a deleted team reply", keyErr, err)
		env.Nack()
		return
	}
	if changed {
		log.Info("team reply deleted", keyChannel, ev.Channel)
	}
}
