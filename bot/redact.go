package bot

import (
	"errors"
	"fmt"
	"net/url"
)

// withoutURL removes the URL from an HTTP client error. A response_url is
// a credential (whoever holds it can post in the user's conversation for
// half an hour), so it must not reach the logs with the error.
func withoutURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s response_url: %w", ue.Op, ue.Err)
	}
	return err
}
