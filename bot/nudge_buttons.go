package bot

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"github.com/slack-go/slack"

	"github.com/leadcoach/leadbot/storage"
)

// nudgeButton records Done / Not yet / Skip on a nudge and updates the
// message to show the choice. The delivery must belong to the user who
// pressed: anyone else gets a polite refusal and nothing changes. The
// press is acknowledged once it is stored, so that an acknowledged answer
// survives a crash; the stored timezone is used, so no Slack call delays
// the acknowledgement.
func (b *Bot) nudgeButton(ctx context.Context, log *slog.Logger, env *envelope, cb slack.InteractionCallback, act *slack.BlockAction) {
	id, err := strconv.ParseInt(act.Value, 10, 64)
	if err != nil {
		log.Warn("nudge button with a bad value")
		return
	}
	log = log.With("delivery", id)
	outcome := map[string]string{
		actionNudgeDone: storage.OutcomeDone, actionNudgeNotYet: storage.OutcomeNotYet, actionNudgeSkip: storage.OutcomeSkipped,
	}[act.ActionID]
	u, _ := b.store.User(ctx, cb.User.ID) // a nudge's owner is a stored user
	loc := loadLocation(u.TZ)
	var reaskAt time.Time
	if outcome == storage.OutcomeNotYet {
		reaskAt = addWorkingDays(b.now(), 2, loc)
	}
	d, changed, err := b.store.SetOutcome(ctx, cb.User.ID, id, outcome, reaskAt)
	env.ack(nil)
	if errors.Is(err, storage.ErrNotFound) {
		log.Warn("button pressed on a nudge of another user")
		if err := b.respond(ctx, cb.ResponseURL, textMessage(msgNotYours)); err != nil {
			log.Warn("could not answer", keyErr, err)
		}
		return
	}
	if err != nil {
		log.Error("could not record the answer", keyErr, err)
		if err := b.respond(ctx, cb.ResponseURL, textMessage(msgSorry)); err != nil {
			log.Warn("could not answer", keyErr, err)
		}
		return
	}
	log.Info("nudge answered", "outcome", d.Outcome, "changed", changed)
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

// isNudgeAnswer reports whether actionID is one of a nudge's buttons.
func isNudgeAnswer(actionID string) bool {
	return actionID == actionNudgeDone || actionID == actionNudgeNotYet || actionID == actionNudgeSkip
}
