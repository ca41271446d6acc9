package socket

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

// Identity is who the bot is in the workspace, from auth.test.
type Identity struct {
	UserID string // the bot user's id, to ignore our own messages
	BotID  string
	TeamID string
	// EnterpriseID is set for an Enterprise Grid install, where users of
	// every workspace of the organisation are ours.
	EnterpriseID string
}

// whoAmI calls auth.test until it answers, backing off on network errors
// and returning ErrAuth (naming SLACK_BOT_TOKEN) if the token is refused.
// While Slack cannot be reached it says so at ERROR, with what to check,
// and keeps trying: a daemon should not give up on a network outage.
func (r *Runtime) whoAmI(ctx context.Context, log *slog.Logger) (Identity, error) {
	wait := 500 * time.Millisecond
	for failures := 1; ; failures++ {
		resp, err := r.cfg.Auth.AuthTestContext(ctx)
		if err == nil {
			return Identity{UserID: resp.UserID, BotID: resp.BotID, TeamID: resp.TeamID, EnterpriseID: resp.EnterpriseID}, nil
		}
		if code := errorCode(err); fatalAuthErrors[code] {
			return Identity{}, fmt.Errorf("SLACK_BOT_TOKEN: %w (%s): check the token, or reinstall the app", ErrAuth, code)
		}
		if ctx.Err() != nil {
			return Identity{}, ctx.Err()
		}
		if failures%unreachableEvery == 0 {
			log.Error("Slack cannot be reached: check the network, a proxy, and SLACK_API_URL if it is set; still trying",
				keyErr, err, keyTry, failures)
		} else {
			log.Warn("auth.test failed, retrying", keyErr, err, keyBackoff, wait)
		}
		select {
		case <-ctx.Done():
			return Identity{}, ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 30*time.Second)
	}
}

// unreachableEvery is how many failed auth.test calls in a row make an
// ERROR line: the first few failures are usual after a network blip.
const unreachableEvery = 3

// socketError turns the Socket Mode client's final error into ours,
// naming the app token when Slack refused it.
func socketError(err error) error {
	if err == nil {
		return nil
	}
	if fatalAuthErrors[err.Error()] {
		return fmt.Errorf("SLACK_APP_TOKEN: %w (%s): check the app-level token and that Socket Mode is on", ErrAuth, err)
	}
	return fmt.Errorf("socket mode: %w", err)
}

// errorCode returns the Slack error code of err ("invalid_auth"), or its
// text for any other error.
func errorCode(err error) string {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	return err.Error()
}
