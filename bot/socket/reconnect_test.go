package socket

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestReconnectJitter: every apps.connections.open but the first waits a
// random time from a window that doubles with each failure in a row, is
// capped, and starts again after a success; other methods never wait; the
// answer reaches the caller intact.
func TestReconnectJitter(t *testing.T) {
	var mu sync.Mutex
	fail := 0 // opens still to fail
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case !strings.HasSuffix(r.URL.Path, "/apps.connections.open"):
			io.WriteString(w, `{"ok":true,"method":"other"}`)
		case fail > 0 && fail%2 == 0:
			fail--
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, `{"ok":false,"error":"internal_error"}`)
		case fail > 0:
			fail--
			io.WriteString(w, `{"ok":false,"error":"ratelimited"}`)
		default:
			io.WriteString(w, `{"ok":true,"url":"wss://example.invalid/link"}`)
		}
	}))
	defer srv.Close()

	var windows []time.Duration
	tr := &jitterTransport{next: http.DefaultTransport, min: reconnectJitterMin, max: MaxReconnectJitter,
		rand: func(n time.Duration) time.Duration { windows = append(windows, n); return n / 1000 }}
	client := &http.Client{Transport: tr}
	call := func(method string) string {
		t.Helper()
		resp, err := client.Post(srv.URL+"/api/"+method, "application/json", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}

	if got := call("apps.connections.open"); got != `{"ok":true,"url":"wss://example.invalid/link"}` {
		t.Errorf("answer passed on = %s", got)
	}
	if len(windows) != 0 {
		t.Errorf("the first open waited (windows %v)", windows)
	}
	call("apps.connections.open") // a reconnect after a working connection
	mu.Lock()
	fail = 10
	mu.Unlock()
	for range 11 { // ten failures in a row, then success
		call("apps.connections.open")
	}
	call("apps.connections.open")
	call("chat.postMessage")
	if got := call("users.info"); got != `{"ok":true,"method":"other"}` {
		t.Errorf("other answer passed on = %s", got)
	}
	ms := time.Millisecond
	want := []time.Duration{100 * ms, 100 * ms, 200 * ms, 400 * ms, 800 * ms, 1600 * ms, 3200 * ms, 6400 * ms,
		10000 * ms, 10000 * ms, 10000 * ms, 10000 * ms, 100 * ms}
	if !slices.Equal(windows, want) {
		t.Errorf("jitter windows = %v\nwant             %v", windows, want)
	}
}

// TestReconnectJitterRandom: the delays are really drawn at random within
// the window (the production source), not fixed.
func TestReconnectJitterRandom(t *testing.T) {
	tr := ReconnectJitter(nil).(*jitterTransport)
	seen := map[time.Duration]bool{}
	for range 100 {
		d := tr.rand(reconnectJitterMin)
		if d < 0 || d >= reconnectJitterMin {
			t.Fatalf("delay %v outside [0, %v)", d, reconnectJitterMin)
		}
		seen[d] = true
	}
	if len(seen) < 50 {
		t.Errorf("%d different delays in 100 draws", len(seen))
	}
}

// TestReconnectJitterCancel: shutting down while a reconnect waits ends the
// wait at once with the context's error.
func TestReconnectJitterCancel(t *testing.T) {
	tr := &jitterTransport{next: http.DefaultTransport, min: time.Hour, max: time.Hour, opened: true,
		rand: func(n time.Duration) time.Duration { return n - 1 }}
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://127.0.0.1:1/api/apps.connections.open", nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := tr.RoundTrip(req)
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("RoundTrip = %v, want context.Canceled", err)
	}
}
