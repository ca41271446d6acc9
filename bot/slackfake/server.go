// Package slackfake is a fake Slack for end-to-end tests, the demo and the
// load tool.
//
// A Server is a real HTTP server on loopback. It speaks Socket Mode on a real
// websocket (hello, pings, envelopes, acks, retries, disconnects) and answers
// the Web API methods the bot calls with recording fakes, so the unmodified
// slack-go client can be pointed at it with slack.OptionAPIURL(s.APIURL()).
//
// Everything a Server records can be read back (Calls, Messages, Acks, …) or
// waited for (WaitCall, WaitMessage, WaitAck, …). All methods are safe for
// concurrent use. The package does not import testing.
package slackfake

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Sentinel errors returned by Server methods.
var (
	// ErrClosed is returned by waits and sends once the server is closed.
	ErrClosed = errors.New("slackfake: server closed")
	// ErrNoConnection is returned by SendRaw when no websocket is open.
	ErrNoConnection = errors.New("slackfake: no open socket mode connection")
	// ErrUnknownEnvelope is returned by WaitAck for an id the server never sent.
	ErrUnknownEnvelope = errors.New("slackfake: unknown envelope id")
	// ErrGaveUp is returned by WaitAck when an envelope was delivered
	// 1+MaxRetries times and never acknowledged.
	ErrGaveUp = errors.New("slackfake: envelope never acknowledged, retries exhausted")
)

const (
	defaultPingInterval = 2 * time.Second
	defaultAckTimeout   = 3 * time.Second
	defaultMaxRetries   = 3
	writeTimeout        = 10 * time.Second
	maxRequestBody      = 32 << 20
	teamDomain          = "leadcoach"
	verificationToken   = "slackfake-verification-token"
)

// LeadbotScopes are the bot scopes manifest.yaml asks for, for a fake
// whose token has all of them (cmd/leadbot's tests keep the two equal).
var LeadbotScopes = []string{"commands", "chat:write", "im:write", "im:history", "users:read",
	"channels:read", "groups:read", "channels:history", "groups:history", "files:write"}

// Options configures a Server. The zero value is usable.
type Options struct {
	// PingInterval is how often the server sends a websocket ping to each
	// connection; default 2s (slack-go gives up after 30s without one).
	PingInterval time.Duration
	// AckTimeout is how long an envelope may stay unacknowledged on its
	// connection before it is redelivered with retry_attempt+1 and
	// retry_reason "timeout"; default 3s, like Slack.
	AckTimeout time.Duration
	// MaxRetries is how many times one envelope is redelivered; default 3
	// (like Slack). A negative value means no redelivery at all.
	MaxRetries int
	// Scopes are returned by auth.test in the x-oauth-scopes header
	// (LeadbotScopes grants all that the bot asks for).
	Scopes []string
	// TeamID, AppID, BotUserID and BotID identify the workspace and the app;
	// they default to "T0LEAD", "A0LEAD", "U0BOT" and "B0BOT".
	TeamID, AppID, BotUserID, BotID string
	// Addr is the listen address; default "127.0.0.1:0" (a random port).
	Addr string
	// Logf, when set, receives debug lines. Tokens are never logged.
	Logf func(format string, args ...any)
}

// Server is a running fake Slack. Create it with New and stop it with Close.
type Server struct {
	opts    Options
	ln      net.Listener
	srv     *http.Server
	httpURL string // "http://127.0.0.1:PORT"
	wsURL   string // "ws://127.0.0.1:PORT"
	start   time.Time
	done    chan struct{}
	wg      sync.WaitGroup // server goroutines: Serve and per-connection loops
	reqs    sync.WaitGroup // HTTP handlers; Add only under mu while !closed
	pingsOn atomic.Bool

	closeOnce sync.Once
	closeErr  error

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every state change
	closed  bool
	seq     int64 // counter for tickets, response urls and timestamps

	// Socket Mode state.
	tickets     map[string]bool
	conns       []*conn
	connSeq     int
	rr          int
	hellos      int
	queue       []*envelope
	envs        map[string]*envelope
	pending     int
	acks        []Ack
	firstAck    map[string]Ack // by envelope id
	failOpen    int
	failOpenErr string
	holdOpen    chan struct{} // apps.connections.open waits until it is closed

	// Web API state.
	calls       []Call
	faults      []*faultRule
	bucket      tokenBucket
	rateLimited map[string]int
	users       map[string]User
	channels    map[string]*chanRec
	messages    []*Message
	ephemerals  []Ephemeral
	responses   []ResponsePost
	files       map[string]*File
	fileOrder   []string
	views       map[string]*viewRec
	homeViews   map[string]json.RawMessage
	triggers    map[string]time.Time
	tsSeq       int64
}

// New starts a Server listening on Options.Addr (default 127.0.0.1 and a
// random port) and serving until Close. It returns an error if it cannot
// listen.
func New(opts Options) (*Server, error) {
	if opts.PingInterval <= 0 {
		opts.PingInterval = defaultPingInterval
	}
	if opts.AckTimeout <= 0 {
		opts.AckTimeout = defaultAckTimeout
	}
	if opts.MaxRetries == 0 {
		opts.MaxRetries = defaultMaxRetries
	}
	if opts.MaxRetries < 0 {
		opts.MaxRetries = 0
	}
	opts.TeamID = orDefault(opts.TeamID, "T0LEAD")
	opts.AppID = orDefault(opts.AppID, "A0LEAD")
	opts.BotUserID = orDefault(opts.BotUserID, "U0BOT")
	opts.BotID = orDefault(opts.BotID, "B0BOT")
	opts.Addr = orDefault(opts.Addr, "127.0.0.1:0")

	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", opts.Addr, err)
	}
	host := dialableAddr(ln.Addr())
	s := &Server{
		opts:        opts,
		ln:          ln,
		httpURL:     "http://" + host,
		wsURL:       "ws://" + host,
		start:       time.Now(),
		done:        make(chan struct{}),
		changed:     make(chan struct{}),
		tickets:     make(map[string]bool),
		envs:        make(map[string]*envelope),
		firstAck:    make(map[string]Ack),
		rateLimited: make(map[string]int),
		users:       make(map[string]User),
		channels:    make(map[string]*chanRec),
		files:       make(map[string]*File),
		views:       make(map[string]*viewRec),
		homeViews:   make(map[string]json.RawMessage),
		triggers:    make(map[string]time.Time),
	}
	s.pingsOn.Store(true)

	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.handleAPI)
	mux.HandleFunc("/link/", s.handleLink)
	mux.HandleFunc("/response/", s.handleResponse)
	mux.HandleFunc("/upload/", s.handleUpload)
	s.srv = &http.Server{Handler: s.track(mux), ReadHeaderTimeout: 10 * time.Second}
	s.wg.Go(func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.logf("serve: %v", err)
		}
	})
	s.logf("listening on %s", s.httpURL)
	return s, nil
}

// track counts running handlers so Close can wait for them, and refuses
// requests once closing has begun.
func (s *Server) track(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			http.Error(w, "server closed", http.StatusServiceUnavailable)
			return
		}
		s.reqs.Add(1)
		s.mu.Unlock()
		defer s.reqs.Done()
		next.ServeHTTP(w, r)
	})
}

// dialableAddr turns a listener address into host:port a client can dial:
// an unspecified IP (":8080") becomes 127.0.0.1.
func dialableAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	ip := tcp.IP
	if ip == nil || ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
	}
	return net.JoinHostPort(ip.String(), fmt.Sprint(tcp.Port))
}

// APIURL returns the Web API base URL, e.g. "http://127.0.0.1:41234/api/";
// it ends in "/" because slack-go appends method names.
func (s *Server) APIURL() string { return s.httpURL + "/api/" }

// URL returns the server's base URL, e.g. "http://127.0.0.1:41234".
func (s *Server) URL() string { return s.httpURL }

// Close stops the listener, closes every websocket and waits for the
// server's goroutines. It is idempotent and returns the listener's close
// error, if any, from the first call.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		close(s.done)
		for _, e := range s.envs {
			if e.timer != nil {
				e.timer.Stop()
			}
		}
		conns := append([]*conn(nil), s.conns...)
		for _, c := range conns {
			s.closeConnLocked(c, "server closed")
		}
		s.notifyLocked()
		s.mu.Unlock()

		s.closeErr = s.srv.Close()
		s.reqs.Wait()
		s.wg.Wait()
		s.logf("closed")
	})
	return s.closeErr
}

// Changed returns a channel that is closed at the next change of the
// server's recorded state (a call, message, ack, connection…). Loops that
// print what happens use it instead of polling.
func (s *Server) Changed() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changed
}

// notifyLocked wakes every waiter. Callers hold s.mu.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// waitFor calls check under s.mu until it reports done, the context ends or
// the server closes. check must not block.
func waitFor[T any](ctx context.Context, s *Server, check func() (T, bool, error)) (T, error) {
	for {
		s.mu.Lock()
		v, ok, err := check()
		ch := s.changed
		closed := s.closed
		s.mu.Unlock()
		if ok || err != nil {
			return v, err
		}
		var zero T
		if closed {
			return zero, ErrClosed
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return zero, ctx.Err()
		case <-s.done:
			return zero, ErrClosed
		}
	}
}

func (s *Server) logf(format string, args ...any) {
	if s.opts.Logf != nil {
		s.opts.Logf("slackfake: "+format, args...)
	}
}

// nextSeqLocked returns a server-unique increasing number.
func (s *Server) nextSeqLocked() int64 {
	s.seq++
	return s.seq
}

// nextTSLocked returns a unique, increasing Slack timestamp based on the
// server's start time, e.g. "1700000000.000001".
func (s *Server) nextTSLocked() string {
	s.tsSeq++
	return formatTS(s.start.Unix(), s.tsSeq)
}

func formatTS(startSec, n int64) string {
	return fmt.Sprintf("%d.%06d", startSec+n/1_000_000, n%1_000_000)
}

// newUUID returns a random RFC 4122 version 4 id, like Slack's envelope ids.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// newID returns prefix followed by n random upper-case letters and digits,
// the shape of Slack ids ("Ev…", "F…", "V…").
func newID(prefix string, n int) string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	var sb strings.Builder
	sb.WriteString(prefix)
	for _, c := range b {
		sb.WriteByte(alphabet[int(c)%len(alphabet)])
	}
	return sb.String()
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
