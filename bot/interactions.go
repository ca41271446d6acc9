package bot

import (
	"context"
	"log/slog"
	"strings"

	"github.com/slack-go/slack"

	"github.com/leadcoach/leadbot/bot/socket"
)

// Interaction handles button presses and other interactive payloads
// (socket.Handler).
func (b *Bot) Interaction(ctx context.Context, env *socket.Envelope, cb slack.InteractionCallback) {
	log := env.Log.With(keyUser, cb.User.ID, keyTeam, cb.Team.ID)
	if cb.Type == slack.InteractionTypeViewSubmission {
		switch cb.View.CallbackID {
		case callbackScheduleModal:
			b.scheduleSubmitted(ctx, log, env, cb)
			return
		case callbackProfileModal:
			b.profileSubmitted(ctx, log, env, cb)
			return
		}
	}
	if cb.Type != slack.InteractionTypeBlockActions || len(cb.ActionCallback.BlockActions) == 0 {
		log.Debug("interaction ignored", keyType, string(cb.Type))
		return
	}
	act := cb.ActionCallback.BlockActions[0]
	isVote := act.ActionID == actionTipUp || act.ActionID == actionTipDown
	if !isNudgeAnswer(act.ActionID) && !isVote {
		env.Ack(nil)
	}
	log = log.With(keyAction, act.ActionID)
	switch act.ActionID {
	case actionAnotherTip:
		b.anotherTip(ctx, log, cb, act.Value)
	case actionShareTip:
		b.shareTip(ctx, log, cb, act.Value)
	case actionTipUp, actionTipDown:
		b.voteTip(ctx, log, env, cb, act.ActionID == actionTipUp, act.Value)
	case actionNudgeDone, actionNudgeNotYet, actionNudgeSkip:
		b.nudgeButton(ctx, log, env, cb, act)
	case actionHomeStart, actionHomePause, actionHomeResume, actionHomeSchedule, actionHomeTip:
		b.homeButton(ctx, log, cb, act)
	case actionProfileOpen:
		b.profileButtonPressed(ctx, log, cb)
	case actionForgetConfirm:
		b.forgetConfirmed(ctx, log, cb)
	case actionForgetCancel:
		b.forgetCancelled(ctx, log, cb)
	default:
		if strings.HasPrefix(act.ActionID, actionTipTopic) {
			b.topicTip(ctx, log, cb, act.Value)
			return
		}
		log.Debug("unknown action ignored")
	}
}

// Failed tells the user, where the envelope gave a way to, that something
// went wrong on our side (socket.Handler, after a handler panicked). The
// details stay in the log.
func (b *Bot) Failed(ctx context.Context, log *slog.Logger, responseURL string) {
	if responseURL == "" {
		return
	}
	if err := b.respond(ctx, responseURL, textMessage(msgSorry)); err != nil {
		log.Warn("could not send the apology", keyErr, err)
	}
}
