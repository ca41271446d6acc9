package bot

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"

	"github.com/slack-go/slack"

	"github.com/leadcoach/leadbot/bot/socket"
	"github.com/leadcoach/leadbot/storage"
)

// A reply can come in the thread of a message of ours that is posted but
// not recorded yet: its send is still waiting for Slack's answer, or the
// answer was lost and recovery (delivery.go) has not run. The thread's
// parent then matches no stored ts, and the reply would be lost. So when
// the conversation has a claim not yet confirmed, the parent is read from
// Slack (one call, under the shared rate limit): if it is ours and its
// metadata names a claim, the claim is recorded as sent with the parent's
// ts, exactly as recovery would, and the reply is stored against it. If
// Slack cannot be asked, the caller leaves the event unacknowledged and
// Slack delivers it again. Without a pending claim nothing is asked: no
// call for the many threads that are not ours. A DM written outside any
// thread is handled the same way: the nudges out before it are recorded,
// so that it is filed against the latest, as once they are recorded.

// unrecordedNudge returns user's delivery posted as message ts in channel
// (their DM) that was not recorded when the reply came. It returns an
// error wrapping storage.ErrNotFound if the message is not one of user's
// nudges, and any other error if that could not be told.
func (b *Bot) unrecordedNudge(ctx context.Context, log *slog.Logger, me socket.Identity, user, channel, ts string) (storage.Delivery, error) {
	pending, err := b.store.HasClaimedDelivery(ctx, user)
	if err != nil {
		return storage.Delivery{}, err
	}
	if pending {
		err := b.recordMarkedParent(ctx, log, me, channel, ts, nudgeMarker, func(ctx context.Context, id int64) error {
			return b.store.MarkSent(ctx, id, channel, ts)
		})
		if err != nil {
			return storage.Delivery{}, err
		}
	}
	// Without a pending claim, once more: it may have been recorded since
	// the first look.
	return b.store.DeliveryByMessage(ctx, user, channel, ts)
}

// unrecordedTeamPost is unrecordedNudge for the weekly prompts of a
// channel.
func (b *Bot) unrecordedTeamPost(ctx context.Context, log *slog.Logger, me socket.Identity, channel, ts string) (storage.TeamPost, error) {
	pending, err := b.store.HasClaimedTeamPost(ctx, channel)
	if err != nil {
		return storage.TeamPost{}, err
	}
	if pending {
		err := b.recordMarkedParent(ctx, log, me, channel, ts, teamMarker, func(ctx context.Context, id int64) error {
			return b.store.MarkTeamPostSent(ctx, id, ts)
		})
		if err != nil {
			return storage.TeamPost{}, err
		}
	}
	return b.store.TeamPostByMessage(ctx, channel, ts)
}

// recordMarkedParent reads message ts of channel and, if the bot posted
// it with metadata m, records the claim it names as sent with record. A
// message that is not ours, or not marked m, is no error: nothing is
// recorded.
func (b *Bot) recordMarkedParent(ctx context.Context, log *slog.Logger, me socket.Identity, channel, ts string, m marker, record func(context.Context, int64) error) error {
	// Slack's way to read one message: the newest at or before ts.
	params := slack.GetConversationHistoryParameters{ChannelID: channel, Latest: ts, Inclusive: true, Limit: 1, IncludeAllMetadata: true}
	return b.recordMarked(ctx, log, me, params, m, func(msg slack.Message) bool { return msg.Timestamp == ts },
		func(ctx context.Context, id int64, _ string) error { return record(ctx, id) })
}

// recordMarked reads the messages params asks for and records, with
// record, the claim named by each that the bot posted with metadata m and
// that want accepts.
func (b *Bot) recordMarked(ctx context.Context, log *slog.Logger, me socket.Identity, params slack.GetConversationHistoryParameters, m marker,
	want func(slack.Message) bool, record func(ctx context.Context, id int64, ts string) error) error {
	if err := b.sched.limit.Wait(ctx); err != nil {
		return err
	}
	hist, err := b.api.GetConversationHistoryContext(ctx, &params)
	if err != nil {
		return fmt.Errorf("read messages of %s before %s: %w", params.ChannelID, params.Latest, err)
	}
	for _, msg := range hist.Messages {
		if !want(msg) || msg.Metadata.EventType != m.eventType || !postedBy(msg, me) {
			continue
		}
		payload, _ := msg.Metadata.EventPayload[m.key].(string)
		id, err := strconv.ParseInt(payload, 10, 64)
		if err != nil {
			log.Warn("a message carries our marker without a claim id", keyChannel, params.ChannelID)
			continue
		}
		// The message is out: the record must not be lost with the request.
		if err := record(context.WithoutCancel(ctx), id, msg.Timestamp); err != nil {
			return err
		}
		log.Info("a message posted but not recorded found through a reply to it; recorded as sent", keyDelivery, id)
	}
	return nil
}

// unrecordedDMNudges records user's nudges that are out in their DM
// (channel) before ts but not recorded yet, so that a DM written after one
// (not in its thread) is filed against it, as it would be once recorded,
// rather than answered as a stray message. As for thread replies, Slack
// is asked only while user has a claim not yet confirmed.
func (b *Bot) unrecordedDMNudges(ctx context.Context, log *slog.Logger, me socket.Identity, user, channel, ts string) error {
	pending, err := b.store.HasClaimedDelivery(ctx, user)
	if err != nil || !pending {
		return err
	}
	// A few messages back: the nudge, and perhaps the user's own messages
	// or our answers after it.
	params := slack.GetConversationHistoryParameters{ChannelID: channel, Latest: ts, Limit: 5, IncludeAllMetadata: true}
	return b.recordMarked(ctx, log, me, params, nudgeMarker, func(slack.Message) bool { return true },
		func(ctx context.Context, id int64, ts string) error { return b.store.MarkSent(ctx, id, channel, ts) })
}

// postedBy reports whether msg was posted by the bot me.
func postedBy(msg slack.Message, me socket.Identity) bool {
	return (me.UserID != "" && msg.User == me.UserID) || (me.BotID != "" && msg.BotID == me.BotID)
}
