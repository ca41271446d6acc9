package bot

import (
	"context"
	"log/slog"
	"strings"

	"github.com/slack-go/slack"
)

// handleInteraction handles button presses and other interactive payloads.
func (b *Bot) handleInteraction(ctx context.Context, log *slog.Logger, env *envelope, cb slack.InteractionCallback) {
	log = log.With(keyUser, cb.User.ID, keyTeam, cb.Team.ID)
	if cb.Type == slack.InteractionTypeViewSubmission && cb.View.CallbackID == callbackScheduleModal {
		b.scheduleSubmitted(ctx, log, env, cb)
		return
	}
	if cb.Type != slack.InteractionTypeBlockActions || len(cb.ActionCallback.BlockActions) == 0 {
		log.Debug("interaction ignored", keyType, string(cb.Type))
		return
	}
	act := cb.ActionCallback.BlockActions[0]
	isVote := act.ActionID == actionTipUp || act.ActionID == actionTipDown
	if !isNudgeAnswer(act.ActionID) && !isVote {
		env.ack(nil)
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
