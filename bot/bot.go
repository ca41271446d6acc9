// Package bot is Lead Coach's coaching: the answers to slash commands,
// events and button presses, and the scheduling of deliveries (nudges,
// weekly team prompts, digests). The Socket Mode connection is bot/socket's,
// the calendar bot/calendar's; this package holds no SQL (see storage) and
// no content (see prompts), and reads no environment: everything is passed
// in Config.
package bot

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/slack-go/slack/socketmode"

	"github.com/leadcoach/leadbot/bot/socket"
	"github.com/leadcoach/leadbot/prompts"
	"github.com/leadcoach/leadbot/storage"
)

// Defaults for Config fields left zero.
const (
	DefaultSchedulerTick = 15 * time.Second
	DefaultCatchup       = 2 * time.Hour
	DefaultSendRate      = 20
	DefaultSendWorkers   = 8
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

	// Tokens, when set, is the watch in the Web API client's transport:
	// the bot stops with socket.ErrAuth when Slack says the token is dead.
	Tokens *socket.TokenWatch

	MaxInFlight     int           // events and button presses handled at once; more wait (see socket.Config)
	HandlerTimeout  time.Duration // per envelope (default 30 s)
	ShutdownTimeout time.Duration // wait for in-flight handlers on shutdown (default 15 s)

	// Scheduling of deliveries.
	SchedulerTick time.Duration // how often due slots are looked for (default 15 s)
	Catchup       time.Duration // a slot missed by less is delivered late, once (default 2 h; negative: never late)
	SendRate      float64       // Slack calls per second when delivering (default 20)
	SendWorkers   int           // deliveries in parallel (default 8)

	// HomePublishRate is how many Home tabs a second are republished after
	// changes, on a limit of their own (default DefaultHomePublishRate).
	HomePublishRate float64

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
	rt      *socket.Runtime
	api     slackAPI
	store   *storage.DB
	lib     *prompts.Library
	log     *slog.Logger
	now     func() time.Time
	metrics *Metrics // nil: not measured
	admins  map[string]bool
	sched   *scheduling
	homes   *homePublisher
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
		api:     cfg.API,
		store:   cfg.Store,
		lib:     cfg.Library,
		log:     cfg.Logger,
		now:     cfg.Now,
		metrics: cfg.Metrics,
		admins:  make(map[string]bool, len(cfg.Admins)),
		sched:   newScheduling(cfg),
		homes:   newHomePublisher(orDefault(cfg.HomePublishRate, DefaultHomePublishRate)),
	}
	for _, id := range cfg.Admins {
		b.admins[id] = true
	}
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	b.log = slog.New(quietCancel(b.log.Handler()))
	if b.now == nil {
		b.now = time.Now
	}
	var obs socket.Observer
	if b.metrics != nil {
		obs = b.metrics
	}
	rt, err := socket.New(socket.Config{
		Client:          cfg.Socket,
		Auth:            cfg.API,
		Handler:         b,
		Logger:          slog.New(b.metrics.countErrors(b.log.Handler())),
		Observer:        obs,
		Tokens:          cfg.Tokens,
		MaxInFlight:     cfg.MaxInFlight,
		HandlerTimeout:  cfg.HandlerTimeout,
		ShutdownTimeout: cfg.ShutdownTimeout,
	})
	if err != nil {
		return nil, err
	}
	b.rt = rt
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
func (b *Bot) Connected() bool { return b.rt.Connected() }

// Run connects to Slack, runs the scheduler and the Home tab publisher
// (home_publish.go) and handles envelopes until ctx is cancelled, then
// shuts down in order (see socket.Runtime.Run): no new envelopes, the
// scheduler and the publisher stopped, in-flight handlers finished, the
// connection closed. It returns nil after a shutdown through ctx, and an
// error if the connection fails for good (socket.ErrAuth for a dead
// token).
func (b *Bot) Run(ctx context.Context) error {
	return b.rt.Run(ctx, func(ctx context.Context, _ socket.Identity) {
		var wg sync.WaitGroup
		wg.Go(func() { b.runHomes(ctx) })
		b.runScheduler(ctx)
		wg.Wait()
	})
}
