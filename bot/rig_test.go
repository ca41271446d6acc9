package bot

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/leadcoach/leadbot/bot/slackfake"
	"github.com/leadcoach/leadbot/bot/socket"
	"github.com/leadcoach/leadbot/storage"
)

// The reliability tests need what the default harness fixes: fake Slack
// options (a short ack timeout), a short HTTP timeout, a short ping
// timeout, and testing.TB so that fuzz targets can run a bot too.

// rigOptions are the knobs of startRig; zero values mean the harness's
// defaults.
type rigOptions struct {
	clientTimeout time.Duration // Web API HTTP timeout (default 10 s)
	pingTimeout   time.Duration // reconnect after this long without a ping (default slack-go's 30 s)
	noRetry       bool          // no slack-go retries at all
	busyTimeout   time.Duration // how long a write waits for a lock (default storage.BusyTimeout)
}

// newRigEnv is newEnv with fake options of the test's choosing.
func newRigEnv(tb testing.TB, opts slackfake.Options, clock *testClock) *testEnv {
	tb.Helper()
	if opts.PingInterval == 0 {
		opts.PingInterval = 200 * time.Millisecond
	}
	fake, err := slackfake.New(opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { fake.Close() })
	return &testEnv{fake: fake, dbPath: filepath.Join(tb.TempDir(), "leadbot.db"), clock: clock}
}

// startRig runs a bot in e like testEnv.start, with o applied. Its Web API
// client is the binary's (WebAPIOptions: retries, reconnect jitter), but
// dials loopback only, so that crafted response_urls never leave the
// machine.
func (e *testEnv) startRig(tb testing.TB, cfg Config, o rigOptions) *testBot {
	tb.Helper()
	ctx := context.Background()
	var opts []storage.Option
	if e.clock != nil {
		cfg.Now = e.clock.Now
		opts = append(opts, storage.WithClock(e.clock.Now))
	}
	if o.busyTimeout > 0 {
		opts = append(opts, storage.WithBusyTimeout(o.busyTimeout))
	}
	db, err := storage.Open(ctx, e.dbPath, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if cfg.Library == nil {
		cfg.Library = testLibrary(tb)
	}
	if cfg.SchedulerTick == 0 {
		cfg.SchedulerTick = 20 * time.Millisecond
	}
	if cfg.SendRate == 0 {
		cfg.SendRate = 1000
	}
	if cfg.HomePublishRate == 0 {
		cfg.HomePublishRate = 1000
	}
	timeout := o.clientTimeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	tokens := socket.NewTokenWatch()
	web := WebAPIConfig{AppToken: "xapp-test", URL: e.fake.APIURL(), Timeout: timeout, Transport: tokens.Transport(loopbackOnly())}
	if o.noRetry {
		web.Retries = -1
	}
	api := slack.New("xoxb-test", WebAPIOptions(web)...)
	var sockOpts []socketmode.Option
	if o.pingTimeout > 0 {
		sockOpts = append(sockOpts, socketmode.OptionPingInterval(o.pingTimeout))
	}
	cfg.API = api
	cfg.Socket = socketmode.New(api, sockOpts...)
	cfg.Tokens = tokens
	cfg.Store = db
	logs := &lockedBuffer{}
	cfg.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	b, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	before := e.fake.Hellos()
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- b.Run(runCtx) }()
	var once sync.Once
	var runErr error
	stop := func() error {
		once.Do(func() { cancel(); runErr = <-done })
		return runErr
	}
	tb.Cleanup(func() { stop() })
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	if err := e.fake.WaitConnected(wctx, before+1); err != nil {
		tb.Fatalf("bot did not connect: %v\n%s", err, logs)
	}
	// The fake's hello may be sent before the bot has handled the event
	// saying it is connected: wait for that too, so that a test's later
	// "disconnected" is about its own doing.
	if !eventually(10*time.Second, b.Connected) {
		tb.Fatalf("bot connected but does not say so\n%s", logs)
	}
	return &testBot{Bot: b, fake: e.fake, db: db, logs: logs, stop: stop}
}

// loopbackOnly is an HTTP transport that refuses to dial anything but
// loopback addresses.
func loopbackOnly() *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	dialer := &net.Dialer{Timeout: 2 * time.Second}
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			return nil, fmt.Errorf("test transport: not dialing %s", host)
		}
		return dialer.DialContext(ctx, network, addr)
	}
	return tr
}

// sendCommand sends /lead-tip text as user without waiting, and returns the
// envelope id and the response_url the answer will be posted to.
func sendCommand(tb testing.TB, fake *slackfake.Server, user, text string) (envelopeID, responseURL string) {
	tb.Helper()
	responseURL = fake.NewResponseURL()
	id, err := fake.SendSlashCommand(context.Background(), slack.SlashCommand{UserID: user, Text: text, ResponseURL: responseURL})
	if err != nil {
		tb.Fatal(err)
	}
	return id, responseURL
}

// answer waits for the first post to responseURL.
func answer(tb testing.TB, fake *slackfake.Server, responseURL string, within time.Duration) (slackfake.ResponsePost, error) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	return fake.WaitResponsePost(ctx, func(p slackfake.ResponsePost) bool { return strings.HasSuffix(responseURL, p.Path) })
}

// answers counts the posts made to responseURL so far.
func answers(fake *slackfake.Server, responseURL string) int {
	n := 0
	for _, p := range fake.ResponsePosts() {
		if strings.HasSuffix(responseURL, p.Path) {
			n++
		}
	}
	return n
}

// acked reports whether the fake has received an ack for envelopeID, even
// one it never sent (SendRaw frames).
func acked(fake *slackfake.Server, envelopeID string) bool { return fake.Acked(envelopeID) }

// eventually polls cond for up to d.
func eventually(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
}
