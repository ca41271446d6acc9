package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/slack-go/slack"

	"github.com/leadcoach/leadbot/bot/calendar"
	"github.com/leadcoach/leadbot/prompts"
	"github.com/leadcoach/leadbot/storage"
)

// nudgeOut is a claimed nudge on the delivery path: to the user's DM,
// recorded in deliveries.
type nudgeOut struct {
	d    storage.Delivery
	note string // a line shown above the challenge, or ""
}

var nudgeMarker = marker{nudgeMetadataType, "delivery_id"}

func (o nudgeOut) describe() (string, int64) { return "nudge", o.d.ID }
func (o nudgeOut) marker() marker            { return nudgeMarker }

func (o nudgeOut) channel(ctx context.Context, b *Bot) (string, error) {
	u, err := b.store.User(ctx, o.d.UserID)
	if err != nil {
		return "", err
	}
	return b.dmChannel(ctx, u)
}

func (o nudgeOut) message(_ context.Context, b *Bot) (message, error) {
	n, ok := b.lib.Nudge(o.d.NudgeID)
	if !ok {
		return message{}, fmt.Errorf("nudge %s: %w: no longer in the library", o.d.NudgeID, errGone)
	}
	return nudgeMessage(n, o.d, o.note), nil
}

func (o nudgeOut) record(ctx context.Context, b *Bot, channel, ts string) error {
	return b.store.MarkSent(ctx, o.d.ID, channel, ts)
}

func (o nudgeOut) fail(ctx context.Context, b *Bot, log *slog.Logger, _ string) {
	if err := b.store.MarkFailed(context.WithoutCancel(ctx), o.d.ID); err != nil {
		log.Error("could not mark delivery failed", keyErr, err)
	}
}

func (o nudgeOut) sent(ctx context.Context, b *Bot, log *slog.Logger, channel string) {
	b.metrics.nudgeSent(o.d.Source, b.now().Sub(o.d.Slot))
	log.Info("nudge sent", keyUser, o.d.UserID, keyNudge, o.d.NudgeID, keySource, o.d.Source, keyChannel, channel)
	b.homeChangedLater(o.d.UserID)
}

// recoverClaims finds nudges claimed but never confirmed sent and
// recovers each (see delivery.go): recorded if the DM shows it, sent again
// if not and still in time, dropped otherwise.
func (b *Bot) recoverClaims(ctx context.Context, log *slog.Logger, now time.Time, submit func(outgoing)) {
	stale, err := b.store.StaleClaims(ctx, now.Add(-staleClaimAfter), dueBatch)
	if err != nil {
		log.Error("could not read interrupted deliveries", keyErr, err)
		return
	}
	for _, d := range stale {
		dlog := log.With(keyUser, d.UserID, keyDelivery, d.ID)
		if ok, err := b.store.Reclaim(ctx, d); err != nil {
			dlog.Error("could not take over an interrupted delivery", keyErr, err)
			continue
		} else if !ok {
			continue // another process is on it
		}
		u, err := b.store.User(ctx, d.UserID)
		if err != nil {
			dlog.Error("could not read the user of an interrupted delivery", keyErr, err)
			continue
		}
		// Looked for even when too old to send again: one that is out is
		// recorded (its thread's replies count), not marked failed.
		o := deliveryOut(d, "")
		found, err := b.recoverPosted(ctx, o, u.DMChannel, 50)
		tooOld := now.Sub(d.Slot) > max(b.sched.catchup, staleClaimAfter+onTimeGrace)
		switch {
		case err != nil:
			dlog.Warn("could not check whether an interrupted delivery was posted", keyErr, err)
			if tooOld && ctx.Err() == nil {
				o.fail(ctx, b, dlog, "") // it will not be sent: do not look again
			}
		case found:
			dlog.Info("interrupted delivery had been posted; recorded")
		case tooOld:
			dlog.Warn("interrupted delivery too old to send; dropped")
			o.fail(ctx, b, dlog, "")
		default:
			dlog.Info("resending an interrupted delivery")
			submit(o)
		}
	}
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
		dlog := log.With(keyUser, d.UserID, keyDelivery, d.ID)
		u, err := b.store.User(ctx, d.UserID)
		if err != nil {
			dlog.Error("could not read the user of a nudge due a follow-up", keyErr, err)
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
		if ok, err := b.store.ClaimFollowup(ctx, d.ID); err != nil {
			dlog.Error("could not claim a follow-up", keyErr, err)
			continue
		} else if !ok {
			continue // another process sent it
		}
		if err := b.sched.limit.Wait(ctx); err != nil {
			return
		}
		msg := followupMessage(n)
		if _, _, err := b.api.PostMessageContext(ctx, d.Channel, append(msg.options(), slack.MsgOptionTS(d.TS))...); err != nil {
			dlog.Warn("follow-up not sent", keyErr, slackErrorCode(err))
			continue
		}
		dlog.Info("follow-up sent")
	}
}

// nudgeCommand sends the next nudge right away. What it says matches what
// happens next: a nudge that Slack did not take stays claimed and the
// recovery pass sends it a few minutes later, so the user is told it is on
// its way, never to ask again (which would make two).
func (b *Bot) nudgeCommand(ctx context.Context, log *slog.Logger, who person) message {
	b.user(ctx, log, who.id, who.team)
	err := b.nudgeNow(ctx, log, who.id)
	switch {
	case errors.Is(err, errNudgePending):
		return textMessage(msgNudgePending)
	case errors.Is(err, errPending): // logged by deliver
		return textMessage(msgNudgeLate)
	case errors.Is(err, errGone) && refusedByUsersDM(err): // logged by deliver
		return textMessage(msgNudgeRefused)
	case errors.Is(err, errGone):
		return textMessage(msgNudgeBroken)
	case err != nil:
		// Nothing was claimed: asking again is the way to get one.
		log.Warn("nudge now not claimed", keyErr, err)
		return textMessage("I could not send your nudge just now. Please try again in a minute.")
	}
	text := "Sent: your challenge is in your DMs with me. Reply there, or press Done / Not yet / Skip."
	if _, err := b.store.Subscription(ctx, who.id); errors.Is(err, storage.ErrNotFound) {
		text += " For one every Monday, Wednesday and Friday, `/lead-tip start`."
	}
	return textMessage(text)
}

// nudgeNow sends userID their next nudge at once (/lead-tip nudge). It
// returns errNudgePending, and sends nothing, while one asked for before
// is still unconfirmed; otherwise deliver's error.
func (b *Bot) nudgeNow(ctx context.Context, log *slog.Logger, userID string) error {
	now := b.now()
	n, note, err := b.programmeNudge(ctx, userID, now)
	if err != nil {
		return err
	}
	d, ok, err := b.store.ClaimNow(ctx, storage.Delivery{UserID: userID, NudgeID: n.ID, Kind: n.Kind, Slot: now})
	if err != nil {
		return err
	}
	if !ok {
		return errNudgePending
	}
	return b.deliver(ctx, log, nudgeOut{d: d, note: note})
}

// dmRefusals are the permanent Slack errors that come from the user's
// side of the DM (they turned off messages from apps, or their account or
// DM is gone), not from what the bot sent.
var dmRefusals = map[string]bool{
	"channel_not_found": true, "not_in_channel": true, "user_not_found": true,
	"is_archived": true, "messages_tab_disabled": true, "cannot_dm_bot": true,
}

// refusedByUsersDM reports whether err is one of dmRefusals.
func refusedByUsersDM(err error) bool {
	var se slack.SlackErrorResponse
	return errors.As(err, &se) && dmRefusals[se.Err]
}

// errNudgePending: a nudge asked for before (or this very second) is not
// yet confirmed sent; recovery sends it or finds it posted.
var errNudgePending = errors.New("a nudge asked for before is on its way")

// programmeNudge returns userID's next nudge by the programme (see
// rotation.go) and the note to show with it.
func (b *Bot) programmeNudge(ctx context.Context, userID string, now time.Time) (prompts.Nudge, string, error) {
	p, err := b.store.Profile(ctx, userID)
	if err != nil {
		return prompts.Nudge{}, "", err
	}
	history, err := b.store.Deliveries(ctx, userID, historyForPick)
	if err != nil {
		return prompts.Nudge{}, "", err
	}
	n, note := nextNudge(b.lib, p, history, now)
	return n, note, nil
}

// nextDelivery returns what userID's scheduled slot at now brings, not yet
// claimed and without its slot: a reflection to look back on if one is
// due (see lookback.go), else the programme's next nudge, with its note.
func (b *Bot) nextDelivery(ctx context.Context, log *slog.Logger, userID string, now time.Time) (storage.Delivery, string, error) {
	if r, ok := b.lookBackDue(ctx, log, userID, now); ok {
		return storage.Delivery{UserID: userID, NudgeID: storage.KindLookBack, Kind: storage.KindLookBack, LooksBack: r.ID}, "", nil
	}
	n, note, err := b.programmeNudge(ctx, userID, now)
	if err != nil {
		return storage.Delivery{}, "", err
	}
	return storage.Delivery{UserID: userID, NudgeID: n.ID, Kind: n.Kind}, note, nil
}

// deliveryTitle is how a delivery is named in lists: its nudge's title,
// "Looking back" for a look-back, or the id of a nudge no longer in the
// library.
func (b *Bot) deliveryTitle(d storage.Delivery) string {
	if n, ok := b.lib.Nudge(d.NudgeID); ok {
		return n.Title
	}
	if d.Kind == storage.KindLookBack {
		return lookBackTitle
	}
	return d.NudgeID
}

// nudgeFor returns the library nudge of a delivery; an unknown id (a nudge
// removed from the library) gives false.
func (b *Bot) nudgeFor(d storage.Delivery) (prompts.Nudge, bool) { return b.lib.Nudge(d.NudgeID) }
