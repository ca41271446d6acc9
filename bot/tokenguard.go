package bot

import (
	"context"
	"fmt"
	"sync"

	"github.com/slack-go/slack"
)

// deadTokenErrors are the Web API answers that say the bot token itself
// no longer works (revoked, invalid, workspace deactivated): every later
// call would fail the same way.
var deadTokenErrors = map[string]bool{
	"invalid_auth": true, "not_authed": true, "account_inactive": true, "token_revoked": true, "token_expired": true,
}

// tokenWatch notices the first answer saying the bot token is dead. Run
// then stops with ErrAuth, so that the process exits with one clear line
// instead of failing every command and marking every due nudge failed.
type tokenWatch struct {
	once sync.Once
	dead chan struct{} // closed when the token is found dead
	code string        // the Slack error that said so; set before dead closes
}

func newTokenWatch() *tokenWatch { return &tokenWatch{dead: make(chan struct{})} }

// check passes err through, noting it if it says the token is dead.
func (w *tokenWatch) check(err error) error {
	if err != nil {
		if code := slackErrorCode(err); deadTokenErrors[code] {
			w.once.Do(func() { w.code = code; close(w.dead) })
		}
	}
	return err
}

// err is Run's error once dead is closed.
func (w *tokenWatch) err() error {
	return fmt.Errorf("SLACK_BOT_TOKEN: %w (%s): check the token, or reinstall the app", ErrAuth, w.code)
}

// tokenGuard is the Web API client with every answer shown to a
// tokenWatch. (auth.test is checked by whoAmI at start.)
type tokenGuard struct {
	slackAPI
	w *tokenWatch
}

func (g tokenGuard) PostMessageContext(ctx context.Context, channelID string, options ...slack.MsgOption) (string, string, error) {
	a, b, err := g.slackAPI.PostMessageContext(ctx, channelID, options...)
	return a, b, g.w.check(err)
}

func (g tokenGuard) PostEphemeralContext(ctx context.Context, channelID, userID string, options ...slack.MsgOption) (string, error) {
	a, err := g.slackAPI.PostEphemeralContext(ctx, channelID, userID, options...)
	return a, g.w.check(err)
}

func (g tokenGuard) UpdateMessageContext(ctx context.Context, channelID, timestamp string, options ...slack.MsgOption) (string, string, string, error) {
	a, b, c, err := g.slackAPI.UpdateMessageContext(ctx, channelID, timestamp, options...)
	return a, b, c, g.w.check(err)
}

func (g tokenGuard) OpenConversationContext(ctx context.Context, params *slack.OpenConversationParameters) (*slack.Channel, bool, bool, error) {
	a, b, c, err := g.slackAPI.OpenConversationContext(ctx, params)
	return a, b, c, g.w.check(err)
}

func (g tokenGuard) GetConversationHistoryContext(ctx context.Context, params *slack.GetConversationHistoryParameters) (*slack.GetConversationHistoryResponse, error) {
	a, err := g.slackAPI.GetConversationHistoryContext(ctx, params)
	return a, g.w.check(err)
}

func (g tokenGuard) PublishViewContext(ctx context.Context, req slack.PublishViewContextRequest) (*slack.ViewResponse, error) {
	a, err := g.slackAPI.PublishViewContext(ctx, req)
	return a, g.w.check(err)
}

func (g tokenGuard) OpenViewContext(ctx context.Context, triggerID string, view slack.ModalViewRequest) (*slack.ViewResponse, error) {
	a, err := g.slackAPI.OpenViewContext(ctx, triggerID, view)
	return a, g.w.check(err)
}

func (g tokenGuard) UploadFileContext(ctx context.Context, params slack.UploadFileParameters) (*slack.FileSummary, error) {
	a, err := g.slackAPI.UploadFileContext(ctx, params)
	return a, g.w.check(err)
}

func (g tokenGuard) GetUserInfoContext(ctx context.Context, user string, options ...slack.GetUserInfoOption) (*slack.User, error) {
	a, err := g.slackAPI.GetUserInfoContext(ctx, user, options...)
	return a, g.w.check(err)
}

func (g tokenGuard) GetConversationInfoContext(ctx context.Context, input *slack.GetConversationInfoInput) (*slack.Channel, error) {
	a, err := g.slackAPI.GetConversationInfoContext(ctx, input)
	return a, g.w.check(err)
}

func (g tokenGuard) GetUsersInConversationContext(ctx context.Context, params *slack.GetUsersInConversationParameters) ([]string, string, error) {
	a, b, err := g.slackAPI.GetUsersInConversationContext(ctx, params)
	return a, b, g.w.check(err)
}
