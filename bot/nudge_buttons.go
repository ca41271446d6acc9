package bot

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"github.com/slack-go/slack"

	"github.com/leadcoach/leadbot/bot/calendar"
	"github.com/leadcoach/leadbot/bot/socket"
	"github.com/leadcoach/leadbot/storage"
)

// nudgeButton records Done / Not yet / Skip on a nudge and updates the
// message to show the choice. The delivery must belong to the user who
// pressed: anyone else gets a polite refusal and nothing changes. The
// press is acknowledged once it is stored, so that an acknowledged answer
// survives a crash; the stored timezone is used, so no Slack call delays
// the acknowledgement.
func (b *Bot) nudgeButton(ctx context.Context, log *slog.Logger, env *socket.Envelope, cb slack.InteractionCallback, act *slack.BlockAction) {
	id, err := strconv.ParseInt(act.Value, 10, 64)
	if err != nil {
		log.Warn("nudge button with a bad value")
		return
	}
	log = log.With(keyDelivery, id)
	outcome := map[string]string{
		actionNudgeDone: storage.OutcomeDone, actionNudgeNotYet: storage.OutcomeNotYet, actionNudgeSkip: storage.OutcomeSkipped,
	}[act.ActionID]
	loc := b.storedLocation(ctx, log, cb.User.ID) // a nudge's owner is a stored user
	var reaskAt time.Time
	if outcome == storage.OutcomeNotYet {
		minute, days := defaultMinute, calendar.Days(0) // a nudge asked for with /lead-tip nudge, without a schedule
		if sub, err := b.store.Subscription(ctx, cb.User.ID); err == nil && sub.Status != storage.StatusStopped {
			minute, days = sub.Minute, calendar.Days(sub.Days)
		}
		reaskAt = reaskTime(b.now(), minute, days, loc)
	}
	d, changed, err := b.store.SetOutcome(ctx, cb.User.ID, id, outcome, reaskAt)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		// Not acknowledged: Slack shows the press did not work.
		env.Nack()
		log.Error("could not record the answer", keyErr, err)
		if err := b.respond(ctx, cb.ResponseURL, textMessage(msgNotSaved)); err != nil {
			log.Warn("could not answer", keyErr, err)
		}
		return
	}
	env.Ack(nil)
	if errors.Is(err, storage.ErrNotFound) {
		b.nudgeGone(ctx, log, cb, id)
		return
	}
	log.Info("nudge answered", keyOutcome, d.Outcome, keyChanged, changed)
	n, ok := b.nudgeFor(d)
	if !ok || d.Channel == "" || d.TS == "" {
		return
	}
	msg := nudgeAnswered(n, d, loc)
	if _, _, _, err := b.api.UpdateMessageContext(ctx, d.Channel, d.TS, msg.options()...); err != nil {
		log.Warn("could not update the nudge message", keyErr, slackErrorCode(err))
	}
	if outcome == storage.OutcomeNotYet && changed {
		b.poke()
	}
	b.homeChanged(ctx, log, cb.User.ID)
}

// nudgeGone answers a press on a nudge that is not the presser's: one of
// their own deleted by forget (no such nudge is stored any more), or
// someone else's.
func (b *Bot) nudgeGone(ctx context.Context, log *slog.Logger, cb slack.InteractionCallback, id int64) {
	msg := msgNotYours
	if exists, err := b.store.DeliveryExists(ctx, id); err == nil && !exists {
		msg = msgNudgeForgotten
		log.Info("button pressed on a nudge no longer stored")
	} else {
		log.Warn("button pressed on a nudge of another user")
	}
	if err := b.respond(ctx, cb.ResponseURL, textMessage(msg)); err != nil {
		log.Warn("could not answer", keyErr, err)
	}
}

// reaskGap separates a re-ask from the scheduled nudge of the same day.
const reaskGap = 3 * 60 // minutes

// reaskTime is when a nudge answered "Not yet" at now comes back: two
// working days later, at the user's usual nudge time (minute of the day in
// loc), so it arrives when they are used to hearing from the bot rather
// than at whatever time they happened to press the button. On one of the
// user's nudge days (days) it comes reaskGap later, or earlier near
// midnight, so that two challenges do not arrive in the same minute.
func reaskTime(now time.Time, minute int, days calendar.Days, loc *time.Location) time.Time {
	day := calendar.AddWorkingDays(now, 2, loc)
	if days.Has(day.Weekday()) {
		if minute+reaskGap < 24*60 {
			minute += reaskGap
		} else {
			minute -= reaskGap
		}
	}
	y, m, d := day.Date()
	return time.Date(y, m, d, minute/60, minute%60, 0, 0, loc)
}

// isNudgeAnswer reports whether actionID is one of a nudge's buttons.
func isNudgeAnswer(actionID string) bool {
	return actionID == actionNudgeDone || actionID == actionNudgeNotYet || actionID == actionNudgeSkip
}
