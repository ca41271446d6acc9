// Package bot is Lead Coach's Slack application: the Socket Mode event
// loop, the handlers for slash commands, events and button presses, and the
// scheduling of deliveries. It holds no SQL (see storage) and no content
// (see prompts), and reads no environment: everything is passed in Config.
package bot

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack/socketmode"
	"golang.org/x/time/rate"

	"github.com/leadcoach/leadbot/prompts"
	"github.com/leadcoach/leadbot/storage"
)

// Defaults for Config fields left zero.
const (
	DefaultMaxInFlight     = 64
	DefaultHandlerTimeout  = 30 * time.Second
	DefaultShutdownTimeout = 15 * time.Second
	DefaultSchedulerTick   = 15 * time.Second
	DefaultCatchup         = 2 * time.Hour
	DefaultSendRate        = 20
	DefaultSendWorkers     = 8
)

// Config is what a Bot needs. API and Socket are normally built from one
// *slack.Client: socketmode.New(client) and the client itself.
type Config struct {
	Socket  *socketmode.Client
	API     slackAPI
	Store   *storage.DB
	Library *prompts.Library
	Logger  *slog.Logger
	Now     func() time.Time // defaults to time.Now

	MaxInFlight     int           // envelopes handled at once; more wait (default 64)
	HandlerTimeout  time.Duration // per envelope (default 30 s)
	ShutdownTimeout time.Duration // wait for in-flight handlers on shutdown (default 15 s)

	// Scheduling of nudges.
	SchedulerTick time.Duration // how often due slots are looked for (default 15 s)
	Catchup       time.Duration // a slot missed by less is delivered late, once (default 2 h; negative: never late)
	SendRate      float64       // Slack calls per second when delivering (default 20)
	SendWorkers   int           // deliveries in parallel (default 8)

	// Metrics, when set, counts envelopes, Slack calls, nudges and replies
	// for /metrics; nil records nothing.
	Metrics *Metrics

	// Admins are user ids (LEADBOT_ADMINS) who may change or turn off any
	// channel's weekly prompt, besides the person who set it and workspace
	// admins and owners.
	Admins []string
}

// Bot is a running Lead Coach. Create it with New and start it with Run.
type Bot struct {
	socket  *socketmode.Client
	api     slackAPI
	store   *storage.DB
	lib     *prompts.Library
	log     *slog.Logger
	now     func() time.Time
	timeout time.Duration
	grace   time.Duration

	me    identity
	slots chan struct{} // one per handler allowed to run

	tick      time.Duration
	catchup   time.Duration
	workers   int
	sendLimit *rate.Limiter
	wake      chan struct{} // pokes the scheduler
	inflight  sync.WaitGroup
	connected atomic.Bool
	appID     atomic.Value // string: our app's id, from the first hello envelope
	metrics   *Metrics     // nil: not measured
	token     *tokenWatch  // stops Run when Slack says the bot token is dead
	admins    map[string]bool
}

// New returns a Bot for cfg. It returns an error if a required part is
// missing.
func New(cfg Config) (*Bot, error) {
	switch {
	case cfg.Socket == nil:
		return nil, errors.New("bot: Config.Socket is required")
	case cfg.API == nil:
		return nil, errors.New("bot: Config.API is required")
	case cfg.Store == nil:
		return nil, errors.New("bot: Config.Store is required")
	case cfg.Library == nil:
		return nil, errors.New("bot: Config.Library is required")
	}
	b := &Bot{
		socket:  cfg.Socket,
		api:     cfg.API,
		store:   cfg.Store,
		lib:     cfg.Library,
		log:     cfg.Logger,
		now:     cfg.Now,
		timeout: cfg.HandlerTimeout,
		grace:   cfg.ShutdownTimeout,
		metrics: cfg.Metrics,
		admins:  make(map[string]bool, len(cfg.Admins)),
	}
	for _, id := range cfg.Admins {
		b.admins[id] = true
	}
	b.token = newTokenWatch()
	b.api = tokenGuard{slackAPI: cfg.API, w: b.token}
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	b.log = slog.New(quietCancel(b.log.Handler()))
	if b.now == nil {
		b.now = time.Now
	}
	b.timeout = orDefault(b.timeout, DefaultHandlerTimeout)
	b.grace = orDefault(b.grace, DefaultShutdownTimeout)
	b.slots = make(chan struct{}, orDefault(cfg.MaxInFlight, DefaultMaxInFlight))
	b.tick = orDefault(cfg.SchedulerTick, DefaultSchedulerTick)
	b.catchup = orDefault(cfg.Catchup, DefaultCatchup)
	if cfg.Catchup < 0 {
		b.catchup = 0
	}
	b.workers = orDefault(cfg.SendWorkers, DefaultSendWorkers)
	perSecond := orDefault(cfg.SendRate, DefaultSendRate)
	// No burst: sends are spaced evenly. A burst of a second's worth after an
	// idle spell overruns a Slack bucket with a smaller burst, and every 429
	// then parks a worker for Retry-After (BenchmarkFanout measures it).
	b.sendLimit = rate.NewLimiter(rate.Limit(perSecond), 1)
	b.wake = make(chan struct{}, 1)
	return b, nil
}

// orDefault returns v, or def if v is zero or negative.
func orDefault[T int | float64 | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// Connected reports whether the Socket Mode connection is up.
func (b *Bot) Connected() bool { return b.connected.Load() }

// Run connects to Slack and handles envelopes until ctx is cancelled, then
// shuts down in order: it stops taking envelopes, lets in-flight handlers
// finish (and acknowledge) for up to ShutdownTimeout, then closes the
// connection. It returns nil after a shutdown through ctx, and an error if
// the connection fails for good (for example a revoked token).
func (b *Bot) Run(ctx context.Context) error {
	log := b.log.With(keyComponent, "socket")
	me, err := b.whoAmI(ctx, log)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return nil
		}
		return err
	}
	b.me = me
	log.Info("authenticated", keyTeam, me.teamID, keyUser, me.userID)

	// The scheduler stops first on shutdown: no new deliveries start while
	// the last envelopes are handled.
	schedCtx, stopScheduler := context.WithCancel(context.WithoutCancel(ctx))
	defer stopScheduler()
	schedDone := make(chan struct{})
	go func() { defer close(schedDone); b.runScheduler(schedCtx) }()
	sockCtx, closeSocket := context.WithCancel(context.WithoutCancel(ctx))
	defer closeSocket()
	sockDone := make(chan error, 1)
	go func() { sockDone <- b.socket.RunContext(sockCtx) }()

	// Handlers outlive a shutdown request by up to the grace period, so they
	// get a context of their own.
	handlerCtx, cancelHandlers := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelHandlers()

	var runErr error
loop:
	for {
		select {
		case <-ctx.Done():
			log.Info("shutting down: no new envelopes")
			break loop
		case err := <-sockDone:
			b.connected.Store(false)
			runErr = socketError(err)
			sockDone = nil
			break loop
		case <-b.token.dead:
			runErr = b.token.err()
			break loop
		case evt := <-b.socket.Events:
			b.dispatch(handlerCtx, log, evt)
		}
	}

	stopScheduler()
	<-schedDone
	b.waitHandlers(log, cancelHandlers)
	closeSocket()
	if sockDone != nil {
		<-sockDone
	}
	b.connected.Store(false)
	return runErr
}

// waitHandlers waits for in-flight handlers, cancelling them if they take
// longer than the grace period.
func (b *Bot) waitHandlers(log *slog.Logger, cancel context.CancelFunc) {
	done := make(chan struct{})
	go func() { b.inflight.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(b.grace):
		log.Warn("shutdown: cancelling handlers still running", keyDuration, b.grace)
		cancel()
		<-done
	}
}
