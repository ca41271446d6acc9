package bot

import (
	"errors"

	"github.com/slack-go/slack"
)

// slackErrorCode returns the Slack error code of err ("channel_not_found"),
// or its text for any other error: for logs and for choosing what to do.
func slackErrorCode(err error) string {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	return err.Error()
}
