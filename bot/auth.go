package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/slack-go/slack"
)

// ErrAuth is returned by Run when Slack rejects a token for good (revoked,
// invalid, or the workspace is inactive): retrying cannot help.
var ErrAuth = errors.New("slack rejected the token")

// fatalAuthErrors are the Slack errors after which retrying is pointless.
var fatalAuthErrors = map[string]bool{
	"invalid_auth": true, "not_authed": true, "account_inactive": true,
	"token_revoked": true, "token_expired": true, "no_permission": true,
}

// identity is who the bot is in the workspace, from auth.test.
type identity struct {
	userID string // the bot user's id, to ignore our own messages
	botID  string
	teamID string
	// enterpriseID is set for an Enterprise Grid install, where users of
	// every workspace of the organisation are ours.
	enterpriseID string
}

// whoAmI calls auth.test until it answers, backing off on network errors
// and returning ErrAuth (naming SLACK_BOT_TOKEN) if the token is refused.
func (b *Bot) whoAmI(ctx context.Context, log *slog.Logger) (identity, error) {
	wait := 500 * time.Millisecond
	for {
		resp, err := b.api.AuthTestContext(ctx)
		if err == nil {
			return identity{userID: resp.UserID, botID: resp.BotID, teamID: resp.TeamID, enterpriseID: resp.EnterpriseID}, nil
		}
		if fatalAuthErrors[slackErrorCode(err)] {
			return identity{}, fmt.Errorf("SLACK_BOT_TOKEN: %w (%s): check the token, or reinstall the app", ErrAuth, slackErrorCode(err))
		}
		log.Warn("auth.test failed, retrying", keyErr, err, "backoff", wait)
		select {
		case <-ctx.Done():
			return identity{}, ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 30*time.Second)
	}
}

// socketError turns the Socket Mode client's final error into ours,
// naming the app token when Slack refused it.
func socketError(err error) error {
	if fatalAuthErrors[err.Error()] {
		return fmt.Errorf("SLACK_APP_TOKEN: %w (%s): check the app-level token and that Socket Mode is on", ErrAuth, err)
	}
	return fmt.Errorf("socket mode: %w", err)
}

func slackErrorCode(err error) string {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	return err.Error()
}
