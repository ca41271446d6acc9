package socket

import (
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"
)

// slack-go's Socket Mode client reconnects at once after a disconnect and
// then backs off (100 ms, doubling, capped at 5 minutes), but without
// jitter: every bot that Slack disconnects at the same moment, or that
// loses Slack in the same outage, would come back in step. The client's
// only way to Slack is the Web API client's HTTP transport, so the jitter
// is added there, before each apps.connections.open.
const (
	reconnectJitterMin = 100 * time.Millisecond // the window after an open that worked
)

// MaxReconnectJitter caps the window. The wait happens inside the HTTP
// request, so it counts toward the client's timeout: keep the client's
// timeout well above it, or late reconnects would time out unsent.
const MaxReconnectJitter = 10 * time.Second

// ReconnectJitter returns an http.RoundTripper that sends requests through
// next (http.DefaultTransport when nil) and delays every
// apps.connections.open but the first by a random time: uniform in a
// window of 100 ms that doubles with each failed open in a row, up to 10 s,
// and starts again once one works. Give it to slack.OptionHTTPClient. A
// request whose context ends while it waits fails with the context's
// error.
func ReconnectJitter(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return &jitterTransport{next: next, min: reconnectJitterMin, max: MaxReconnectJitter,
		rand: func(n time.Duration) time.Duration { return rand.N(n) }}
}

type jitterTransport struct {
	next     http.RoundTripper
	min, max time.Duration
	rand     func(n time.Duration) time.Duration // uniform in [0, n)

	mu     sync.Mutex
	opened bool // an apps.connections.open went out before
	failed int  // opens that failed in a row
}

func (t *jitterTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !strings.HasSuffix(req.URL.Path, "/apps.connections.open") {
		return t.next.RoundTrip(req)
	}
	if w := t.window(); w > 0 {
		timer := time.NewTimer(t.rand(w))
		select {
		case <-timer.C:
		case <-req.Context().Done():
			timer.Stop()
			if req.Body != nil {
				req.Body.Close()
			}
			return nil, req.Context().Err()
		}
	}
	resp, err := t.next.RoundTrip(req)
	worked := err == nil && openWorked(resp)
	t.mu.Lock()
	if worked {
		t.failed = 0
	} else {
		t.failed++
	}
	t.mu.Unlock()
	return resp, err
}

// window returns the width of the next open's random delay: none for the
// first open of the process, which is not a reconnect.
func (t *jitterTransport) window() time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.opened {
		t.opened = true
		return 0
	}
	return min(t.min<<min(t.failed, 20), t.max)
}

// openWorked reports whether resp answers apps.connections.open with
// "ok": true.
func openWorked(resp *http.Response) bool {
	ok, _ := peekAnswer(resp)
	return resp.StatusCode == http.StatusOK && ok
}
