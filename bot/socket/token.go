package socket

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
)

// deadTokenErrors are the Web API answers that say the bot token itself
// no longer works (revoked, invalid, workspace deactivated): every later
// call would fail the same way.
var deadTokenErrors = map[string]bool{
	"invalid_auth": true, "not_authed": true, "account_inactive": true, "token_revoked": true, "token_expired": true,
}

// TokenWatch notices the first Web API answer saying the bot token is
// dead, so that Run stops with ErrAuth and the process exits with one
// clear line, instead of failing every command and marking every due
// message failed. It watches at the HTTP level: put Transport in the Web
// API client, and the watch in Config.Tokens.
type TokenWatch struct {
	once sync.Once
	dead chan struct{} // closed when the token is found dead
	code string        // the Slack error that said so; set before dead closes
}

// NewTokenWatch returns a watch that has seen nothing yet.
func NewTokenWatch() *TokenWatch { return &TokenWatch{dead: make(chan struct{})} }

// Transport returns an http.RoundTripper that sends requests through next
// (http.DefaultTransport when nil) and shows the watch every Web API
// answer. apps.connections.open (the app token's call, watched by the
// Socket Mode client) and response_url posts (no token) are not watched.
func (w *TokenWatch) Transport(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return watchTransport{next: next, w: w}
}

type watchTransport struct {
	next http.RoundTripper
	w    *TokenWatch
}

func (t watchTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	path := req.URL.Path
	if err != nil || !strings.Contains(path, "/api/") || strings.HasSuffix(path, "/apps.connections.open") {
		return resp, err
	}
	if ok, code := peekAnswer(resp); !ok && deadTokenErrors[code] {
		t.w.once.Do(func() { t.w.code = code; close(t.w.dead) })
	}
	return resp, err
}

// peekAnswer reads a Web API answer's "ok" and "error" (false and "" if
// the body is not one). It reads the start of the body and leaves all of
// it to be read again.
func peekAnswer(resp *http.Response) (ok bool, code string) {
	head, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(head), resp.Body), resp.Body}
	var answer struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	}
	if err != nil || json.Unmarshal(head, &answer) != nil {
		return false, ""
	}
	return answer.OK, answer.Error
}

// err is Run's error once dead is closed.
func (w *TokenWatch) err() error {
	return fmt.Errorf("SLACK_BOT_TOKEN: %w (%s): check the token, or reinstall the app", ErrAuth, w.code)
}
