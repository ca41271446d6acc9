package bot

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"github.com/slack-go/slack"

	"github.com/leadcoach/leadbot/bot/calendar"
	"github.com/leadcoach/leadbot/prompts"
	"github.com/leadcoach/leadbot/storage"
)

// permanentErrors are Slack errors after which sending the same message
// again cannot succeed: the delivery is marked failed instead of retried.
// A dead bot token is not one of them (see deadTokenErrors): it stops the
// bot, and the delivery waits, claimed, to be recovered after a restart.
var permanentErrors = map[string]bool{
	"channel_not_found": true, "user_not_found": true, "user_disabled": true,
	"cannot_dm_bot": true, "is_archived": true, "not_in_channel": true, "invalid_blocks": true,
	"msg_too_long": true, "no_text": true, "restricted_action": true, "messages_tab_disabled": true,
	"missing_scope": true,
}

func isPermanent(err error) bool { return permanentErrors[slackErrorCode(err)] }

// send posts a claimed delivery to the user's DM and records it as sent.
// Errors are logged here: a permanent one marks the delivery failed; any
// other leaves it claimed, and recoverClaims sends it later, once.
func (b *Bot) send(ctx context.Context, log *slog.Logger, job delivery) {
	d := job.d
	log = log.With(keyUser, d.UserID, "delivery", d.ID, "nudge", d.NudgeID)
	n, ok := b.lib.Nudge(d.NudgeID)
	if !ok {
		log.Error("nudge no longer in the library")
		b.markFailed(ctx, log, d)
		return
	}
	u, err := b.store.User(ctx, d.UserID)
	if err != nil {
		log.Error("could not read user", keyErr, err)
		return
	}
	channel, err := b.dmChannel(ctx, u)
	if err != nil {
		b.sendFailed(ctx, log, d, "conversations.open", err)
		return
	}
	if err := b.sched.limit.Wait(ctx); err != nil {
		return
	}
	msg := nudgeMessage(n, d, job.note)
	opts := append(msg.options(), slack.MsgOptionMetadata(nudgeMetadata(d.ID)))
	_, ts, err := b.api.PostMessageContext(ctx, channel, opts...)
	if err != nil {
		b.sendFailed(ctx, log, d, "chat.postMessage", err)
		return
	}
	// Recorded without ctx's deadline: the message is out, so the record
	// must not be lost to a timeout.
	if err := b.store.MarkSent(context.WithoutCancel(ctx), d.ID, channel, ts); err != nil {
		log.Error("nudge posted but not recorded as sent", keyErr, err)
		return
	}
	b.metrics.nudgeSent(d.Source, b.now().Sub(d.Slot))
	log.Info("nudge sent", "source", d.Source, keyChannel, channel)
	b.homeChanged(ctx, log, d.UserID)
}

func (b *Bot) sendFailed(ctx context.Context, log *slog.Logger, d storage.Delivery, method string, err error) {
	if isPermanent(err) {
		log.Warn("nudge cannot be delivered", "method", method, keyErr, slackErrorCode(err))
		b.markFailed(ctx, log, d)
		return
	}
	log.Warn("nudge not sent yet, will retry", "method", method, keyErr, err)
}

func (b *Bot) markFailed(ctx context.Context, log *slog.Logger, d storage.Delivery) {
	if err := b.store.MarkFailed(context.WithoutCancel(ctx), d.ID); err != nil {
		log.Error("could not mark delivery failed", keyErr, err)
	}
}

func nudgeMetadata(id int64) slack.SlackMetadata {
	return slack.SlackMetadata{EventType: nudgeMetadataType, EventPayload: map[string]any{"delivery_id": strconv.FormatInt(id, 10)}}
}

// recoverClaims finds deliveries claimed but never confirmed sent (the
// process stopped, or Slack failed, between the claim and the record). If
// the DM's recent history shows the message (matched by the delivery id in
// its metadata) it is recorded as sent; otherwise it is sent again. Either
// way the user gets it exactly once.
func (b *Bot) recoverClaims(ctx context.Context, log *slog.Logger, now time.Time, submit func(delivery)) {
	stale, err := b.store.StaleClaims(ctx, now.Add(-staleClaimAfter), dueBatch)
	if err != nil {
		log.Error("could not read interrupted deliveries", keyErr, err)
		return
	}
	for _, d := range stale {
		if ok, err := b.store.Reclaim(ctx, d); err != nil || !ok {
			continue // another process is on it
		}
		if now.Sub(d.Slot) > max(b.sched.catchup, staleClaimAfter+onTimeGrace) {
			log.Warn("interrupted delivery too old to send; dropped", keyUser, d.UserID, "delivery", d.ID)
			b.markFailed(ctx, log, d)
			continue
		}
		ts, found, err := b.findPosted(ctx, d)
		if err != nil {
			log.Warn("could not check whether an interrupted delivery was posted", keyUser, d.UserID, keyErr, err)
			continue
		}
		if found {
			u, _ := b.store.User(ctx, d.UserID)
			if err := b.store.MarkSent(ctx, d.ID, u.DMChannel, ts); err != nil {
				log.Error("could not record a recovered delivery", keyErr, err)
			}
			log.Info("interrupted delivery had been posted; recorded", keyUser, d.UserID, "delivery", d.ID)
			continue
		}
		log.Info("resending an interrupted delivery", keyUser, d.UserID, "delivery", d.ID)
		submit(delivery{d: d})
	}
}

// findPosted looks for d's message among the latest messages of the
// user's DM, by the delivery id in the message metadata.
func (b *Bot) findPosted(ctx context.Context, d storage.Delivery) (string, bool, error) {
	u, err := b.store.User(ctx, d.UserID)
	if err != nil {
		return "", false, err
	}
	if u.DMChannel == "" {
		return "", false, nil // never opened, so never posted
	}
	return b.findByMetadata(ctx, u.DMChannel, 50, nudgeMetadataType, "delivery_id", d.ID)
}

// findByMetadata looks among the latest limit messages of channel for the
// one we posted with metadata of type eventType whose payload holds id
// under key, and returns its timestamp.
func (b *Bot) findByMetadata(ctx context.Context, channel string, limit int, eventType, key string, id int64) (string, bool, error) {
	if err := b.sched.limit.Wait(ctx); err != nil {
		return "", false, err
	}
	hist, err := b.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
		ChannelID: channel, Limit: limit, IncludeAllMetadata: true,
	})
	if err != nil {
		return "", false, err
	}
	want := strconv.FormatInt(id, 10)
	for _, m := range hist.Messages {
		if m.Metadata.EventType == eventType && m.Metadata.EventPayload[key] == want {
			return m.Timestamp, true, nil
		}
	}
	return "", false, nil
}

// sendFollowups posts the one gentle follow-up in the thread of nudges that
// got no button press and no reply within two working days.
func (b *Bot) sendFollowups(ctx context.Context, log *slog.Logger, now time.Time) {
	cands, err := b.store.FollowupCandidates(ctx, now.Add(-48*time.Hour), dueBatch)
	if err != nil {
		log.Error("could not read follow-up candidates", keyErr, err)
		return
	}
	for _, d := range cands {
		if ctx.Err() != nil {
			return
		}
		u, err := b.store.User(ctx, d.UserID)
		if err != nil {
			continue
		}
		if calendar.AddWorkingDays(d.SentAt, 2, calendar.LoadLocation(u.TZ)).After(now) {
			continue
		}
		n, ok := b.lib.Nudge(d.NudgeID)
		if !ok {
			continue
		}
		// Claimed before posting: if posting fails there is no second try,
		// which is the point: never more than one follow-up.
		if ok, err := b.store.ClaimFollowup(ctx, d.ID); err != nil || !ok {
			continue
		}
		if err := b.sched.limit.Wait(ctx); err != nil {
			return
		}
		msg := followupMessage(n)
		if _, _, err := b.api.PostMessageContext(ctx, d.Channel, append(msg.options(), slack.MsgOptionTS(d.TS))...); err != nil {
			log.Warn("follow-up not sent", keyUser, d.UserID, keyErr, slackErrorCode(err))
			continue
		}
		log.Info("follow-up sent", keyUser, d.UserID, "delivery", d.ID)
	}
}

// nudgeNow sends userID their next nudge at once (/lead-tip nudge).
func (b *Bot) nudgeNow(ctx context.Context, log *slog.Logger, userID string) error {
	history, err := b.store.Deliveries(ctx, userID, historyForPick)
	if err != nil {
		return err
	}
	now := b.now()
	n, note := nextNudge(b.lib, userID, history, now)
	d, ok, err := b.store.ClaimDelivery(ctx, storage.Delivery{
		UserID: userID, NudgeID: n.ID, Kind: n.Kind, Source: storage.SourceNow, Slot: now,
	})
	if err != nil {
		return err
	}
	if !ok {
		return errNudgeTooSoon
	}
	b.send(ctx, log, delivery{d: d, note: note})
	sent, err := b.store.Delivery(ctx, userID, d.ID)
	if err != nil {
		return err
	}
	if sent.State != storage.StateSent {
		return errNotDelivered
	}
	return nil
}

var (
	errNudgeTooSoon = errors.New("a nudge was sent this very second")
	errNotDelivered = errors.New("nudge not delivered")
)

// nudgeFor returns the library nudge of a delivery; an unknown id (a nudge
// removed from the library) gives false.
func (b *Bot) nudgeFor(d storage.Delivery) (prompts.Nudge, bool) { return b.lib.Nudge(d.NudgeID) }
