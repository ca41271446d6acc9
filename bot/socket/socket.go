// Package socket runs a Slack app over Socket Mode: it connects, reads
// envelopes, hands each to a Handler in a goroutine of its own, and sends
// the acknowledgement when the handler says what it carries is safe. It
// also refuses envelopes for another workspace or app, learns who the bot
// is (auth.test), stops for good when Slack says a token is dead, and
// shuts down in order. It knows nothing of what the app does: it imports
// slack-go and the standard library only.
package socket

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// Handler does the app's work for one envelope. Each method runs in its
// own goroutine, with a context that ends at the handler timeout or when
// a shutdown gives up waiting. A slash command's envelope is acknowledged
// before its handler runs (its answer goes through the response_url); an
// event's or an interaction's is acknowledged when the handler calls Ack,
// or when it returns without having called Ack or Nack.
type Handler interface {
	Command(ctx context.Context, env *Envelope, cmd slack.SlashCommand)
	Event(ctx context.Context, env *Envelope, ev slackevents.EventsAPIEvent)
	Interaction(ctx context.Context, env *Envelope, cb slack.InteractionCallback)
	// Failed is called after a handler panicked, with the response_url of
	// the command or interaction, if it had one, so that the user can be
	// told something went wrong.
	Failed(ctx context.Context, log *slog.Logger, responseURL string)
}

// Observer is told what happens on the connection, for metrics. Every
// method must be cheap and safe for concurrent use.
type Observer interface {
	EnvelopeReceived(typ string)
	EnvelopeAcked(typ string, latency time.Duration)
	HandlerPanicked()
	Connected() // each time a connection is up, the first included
}

// Defaults for Config fields left zero.
const (
	DefaultMaxInFlight     = 64
	DefaultMaxCommands     = 16
	DefaultHandlerTimeout  = 30 * time.Second
	DefaultShutdownTimeout = 15 * time.Second
)

// Config is what a Runtime needs. Client and Auth are normally built from
// one *slack.Client: socketmode.New(client) and the client itself.
type Config struct {
	Client  *socketmode.Client
	Auth    Auther
	Handler Handler
	Logger  *slog.Logger
	// Observer, when set, is told of envelopes, acknowledgements, panics
	// and connections.
	Observer Observer
	// Tokens, when set, is the watch on the Web API client's transport
	// (see TokenWatch): Run stops when it sees the bot token is dead.
	Tokens *TokenWatch

	MaxInFlight     int           // events and interactions handled at once (default 64); more wait
	MaxCommands     int           // slash commands handled at once (default 16), apart from the others
	HandlerTimeout  time.Duration // per envelope (default 30 s)
	ShutdownTimeout time.Duration // wait for in-flight handlers on shutdown (default 15 s)
}

// Auther answers auth.test; *slack.Client does.
type Auther interface {
	AuthTestContext(ctx context.Context) (*slack.AuthTestResponse, error)
}

// Runtime is a Socket Mode connection serving one Handler. Create it with
// New and start it with Run.
type Runtime struct {
	cfg       Config
	log       *slog.Logger
	obs       Observer
	commands  pool // slash commands
	work      pool // events and interactions
	inflight  sync.WaitGroup
	connected atomic.Bool
	me        atomic.Pointer[Identity]
	appID     atomic.Value // string: our app's id, from the first hello envelope
}

// pool bounds the handlers of one kind of envelope: n run at once, and 4n
// more may wait for a turn; past that an envelope is left unacknowledged
// and Slack sends it again later.
type pool struct {
	slots    chan struct{} // one per running handler
	admitted chan struct{} // one per handler running or waiting
}

func newPool(n int) pool {
	return pool{slots: make(chan struct{}, n), admitted: make(chan struct{}, 5*n)}
}

// New returns a Runtime for cfg, or an error if a required part is
// missing.
func New(cfg Config) (*Runtime, error) {
	switch {
	case cfg.Client == nil:
		return nil, errors.New("socket: Config.Client is required")
	case cfg.Auth == nil:
		return nil, errors.New("socket: Config.Auth is required")
	case cfg.Handler == nil:
		return nil, errors.New("socket: Config.Handler is required")
	}
	r := &Runtime{cfg: cfg, log: cfg.Logger, obs: cfg.Observer}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if r.obs == nil {
		r.obs = noObserver{}
	}
	r.cfg.HandlerTimeout = orDefault(cfg.HandlerTimeout, DefaultHandlerTimeout)
	r.cfg.ShutdownTimeout = orDefault(cfg.ShutdownTimeout, DefaultShutdownTimeout)
	r.commands = newPool(orDefault(cfg.MaxCommands, DefaultMaxCommands))
	r.work = newPool(orDefault(cfg.MaxInFlight, DefaultMaxInFlight))
	return r, nil
}

func orDefault[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// Connected reports whether the Socket Mode connection is up.
func (r *Runtime) Connected() bool { return r.connected.Load() }

// Run learns who the bot is, connects, starts background (the app's own
// loops, such as a scheduler) and serves envelopes until ctx is
// cancelled. Then it shuts down in order: it stops taking envelopes, stops
// background and waits for it, lets in-flight handlers finish (and
// acknowledge) for up to ShutdownTimeout, then closes the connection. It
// returns nil after a shutdown through ctx, and an error if the connection
// fails for good (ErrAuth for a dead token).
func (r *Runtime) Run(ctx context.Context, background func(ctx context.Context, me Identity)) error {
	log := r.log.With(keyComponent, "socket")
	me, err := r.whoAmI(ctx, log)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return nil
		}
		return err
	}
	r.me.Store(&me)
	log.Info("authenticated", keyTeam, me.TeamID, keyUser, me.UserID)

	bgCtx, stopBackground := context.WithCancel(context.WithoutCancel(ctx))
	defer stopBackground()
	bgDone := make(chan struct{})
	go func() {
		defer close(bgDone)
		if background != nil {
			background(bgCtx, me)
		}
	}()
	sockCtx, closeSocket := context.WithCancel(context.WithoutCancel(ctx))
	defer closeSocket()
	sockDone := make(chan error, 1)
	go func() { sockDone <- r.cfg.Client.RunContext(sockCtx) }()

	// Handlers outlive a shutdown request by up to the grace period, so they
	// get a context of their own.
	handlerCtx, cancelHandlers := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelHandlers()

	var dead <-chan struct{}
	if r.cfg.Tokens != nil {
		dead = r.cfg.Tokens.dead
	}
	var runErr error
loop:
	for {
		select {
		case <-ctx.Done():
			log.Info("shutting down: no new envelopes")
			break loop
		case err := <-sockDone:
			r.connected.Store(false)
			runErr = socketError(err)
			sockDone = nil
			break loop
		case <-dead:
			runErr = r.cfg.Tokens.err()
			break loop
		case evt := <-r.cfg.Client.Events:
			r.dispatch(handlerCtx, log, evt)
		}
	}

	stopBackground()
	<-bgDone
	r.waitHandlers(log, cancelHandlers)
	closeSocket()
	if sockDone != nil {
		<-sockDone
	}
	r.connected.Store(false)
	return runErr
}

// waitHandlers waits for in-flight handlers, cancelling them if they take
// longer than the grace period.
func (r *Runtime) waitHandlers(log *slog.Logger, cancel context.CancelFunc) {
	done := make(chan struct{})
	go func() { r.inflight.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(r.cfg.ShutdownTimeout):
		log.Warn("shutdown: cancelling handlers still running", keyDuration, r.cfg.ShutdownTimeout)
		cancel()
		<-done
	}
}

type noObserver struct{}

func (noObserver) EnvelopeReceived(string)             {}
func (noObserver) EnvelopeAcked(string, time.Duration) {}
func (noObserver) HandlerPanicked()                    {}
func (noObserver) Connected()                          {}
