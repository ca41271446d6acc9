package slackfake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// errConnClosed is reported to SendRaw when its connection closed before the
// frame was written.
var errConnClosed = errors.New("slackfake: connection closed before write")

// envState is where an envelope is in its delivery.
type envState int

const (
	stateQueued   envState = iota // waiting for a connection
	stateAssigned                 // in a connection's write queue
	stateInflight                 // written, waiting for an ack
	stateAcked
	stateGaveUp
)

// envelope is one Socket Mode request and its delivery state, guarded by
// Server.mu.
type envelope struct {
	id              string
	typ             string
	payload         json.RawMessage
	acceptsResponse bool
	attempt         int
	reason          string
	state           envState
	conn            *conn
	gen             int // bumped on every write so stale timers are ignored
	sentAt          time.Time
	timer           *time.Timer
}

// wireEnvelope is an envelope as Slack writes it on the socket.
type wireEnvelope struct {
	EnvelopeID             string          `json:"envelope_id"`
	Payload                json.RawMessage `json:"payload"`
	Type                   string          `json:"type"`
	AcceptsResponsePayload bool            `json:"accepts_response_payload"`
	RetryAttempt           int             `json:"retry_attempt"`
	RetryReason            string          `json:"retry_reason"`
}

func (e *envelope) frame() []byte {
	b, _ := json.Marshal(wireEnvelope{
		EnvelopeID:             e.id,
		Payload:                e.payload,
		Type:                   e.typ,
		AcceptsResponsePayload: e.acceptsResponse,
		RetryAttempt:           e.attempt,
		RetryReason:            e.reason,
	})
	return b
}

// outFrame is one thing to write on a connection: an envelope (serialized at
// write time, with its current attempt) or raw bytes.
type outFrame struct {
	env   *envelope
	data  []byte
	hello bool
	done  chan error // buffered(1), nil when nobody waits
}

// conn is one websocket connection. Fields other than ws, id, wake and done
// are guarded by Server.mu.
type conn struct {
	id       int
	ws       *websocket.Conn
	wake     chan struct{} // buffered(1)
	done     chan struct{} // closed when the connection is closed
	outq     []*outFrame
	inflight map[string]*envelope
	closed   bool
	draining bool // sent a disconnect: gets no new envelopes
}

func (c *conn) signal() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// Ack is one acknowledgement received from the client.
type Ack struct {
	// EnvelopeID is the acknowledged envelope.
	EnvelopeID string
	// Payload is the ack's payload (e.g. a slash command's immediate
	// response), nil when the ack had none.
	Payload json.RawMessage
	// Latency is the time from writing the envelope's latest delivery to the
	// socket until the ack was read; 0 for an unknown envelope.
	Latency time.Duration
	// At is when the ack was read.
	At time.Time
	// Attempt is the retry_attempt of the envelope's latest delivery when it
	// was acknowledged; -1 for an unknown envelope.
	Attempt int
}

// handleLink upgrades GET /link/?ticket=N to a Socket Mode websocket.
func (s *Server) handleLink(w http.ResponseWriter, r *http.Request) {
	ticket := r.URL.Query().Get("ticket")
	s.mu.Lock()
	valid := s.tickets[ticket]
	delete(s.tickets, ticket)
	closed := s.closed
	s.mu.Unlock()
	if closed {
		http.Error(w, "server closed", http.StatusServiceUnavailable)
		return
	}
	if !valid {
		http.Error(w, "invalid or used ticket", http.StatusUnauthorized)
		return
	}
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		s.logf("websocket upgrade: %v", err)
		return
	}
	ws.SetReadLimit(1 << 20)

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		_ = ws.Close()
		return
	}
	s.connSeq++
	c := &conn{
		id:       s.connSeq,
		ws:       ws,
		wake:     make(chan struct{}, 1),
		done:     make(chan struct{}),
		inflight: make(map[string]*envelope),
	}
	s.conns = append(s.conns, c)
	hello, _ := json.Marshal(map[string]any{
		"type":            "hello",
		"num_connections": len(s.conns),
		"debug_info": map[string]any{
			"host":                        "slackfake",
			"build_number":                1,
			"approximate_connection_time": 18060,
		},
		"connection_info": map[string]any{"app_id": s.opts.AppID},
	})
	c.outq = append(c.outq, &outFrame{data: hello, hello: true})
	c.signal()
	s.wg.Go(func() { s.writeLoop(c) })
	s.wg.Go(func() { s.readLoop(c) })
	s.wg.Go(func() { s.pingLoop(c) })
	s.logf("conn %d open (%d open)", c.id, len(s.conns))
	s.dispatchLocked()
	s.notifyLocked()
}

// writeLoop is the only writer of data frames on c.
func (s *Server) writeLoop(c *conn) {
	for {
		select {
		case <-c.wake:
		case <-c.done:
			return
		}
		for {
			s.mu.Lock()
			if c.closed || len(c.outq) == 0 {
				s.mu.Unlock()
				break
			}
			f := c.outq[0]
			c.outq[0] = nil
			c.outq = c.outq[1:]
			data := f.data
			if e := f.env; e != nil {
				if e.state != stateAssigned || e.conn != c {
					s.mu.Unlock()
					continue
				}
				e.state = stateInflight
				e.gen++
				e.sentAt = time.Now()
				c.inflight[e.id] = e
				gen := e.gen
				e.timer = time.AfterFunc(s.opts.AckTimeout, func() { s.ackTimedOut(e, gen) })
				data = e.frame()
			}
			s.mu.Unlock()

			_ = c.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
			err := c.ws.WriteMessage(websocket.TextMessage, data)
			if f.done != nil {
				f.done <- err
			}
			if err != nil {
				s.closeConn(c, fmt.Sprintf("write: %v", err))
				return
			}
			if f.hello {
				s.mu.Lock()
				s.hellos++
				s.notifyLocked()
				s.mu.Unlock()
			}
		}
	}
}

// readLoop reads acks from c until it fails.
func (s *Server) readLoop(c *conn) {
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			s.closeConn(c, fmt.Sprintf("read: %v", err))
			return
		}
		s.handleAck(c, data)
	}
}

// pingLoop pings c every PingInterval while pings are on.
func (s *Server) pingLoop(c *conn) {
	t := time.NewTicker(s.opts.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
			if !s.pingsOn.Load() {
				continue
			}
			if err := c.ws.WriteControl(websocket.PingMessage, []byte("slackfake"), time.Now().Add(writeTimeout)); err != nil {
				s.closeConn(c, fmt.Sprintf("ping: %v", err))
				return
			}
		}
	}
}

func (s *Server) handleAck(c *conn, data []byte) {
	var a struct {
		EnvelopeID string          `json:"envelope_id"`
		Payload    json.RawMessage `json:"payload"`
	}
	if err := json.Unmarshal(data, &a); err != nil || a.EnvelopeID == "" {
		s.logf("conn %d: ignoring non-ack frame (%d bytes)", c.id, len(data))
		return
	}
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	ack := Ack{EnvelopeID: a.EnvelopeID, At: now, Attempt: -1}
	if len(a.Payload) > 0 && string(a.Payload) != "null" {
		ack.Payload = append(json.RawMessage(nil), a.Payload...)
	}
	if e, ok := s.envs[a.EnvelopeID]; ok {
		ack.Attempt = e.attempt
		if !e.sentAt.IsZero() {
			ack.Latency = now.Sub(e.sentAt)
		}
		switch e.state {
		case stateInflight:
			delete(e.conn.inflight, e.id)
			e.timer.Stop()
			e.state = stateAcked
			s.pending--
		case stateQueued, stateAssigned:
			// A late ack of an earlier delivery: the queued retry is skipped.
			e.state = stateAcked
			s.pending--
		}
	}
	s.acks = append(s.acks, ack)
	if _, seen := s.firstAck[ack.EnvelopeID]; !seen {
		s.firstAck[ack.EnvelopeID] = ack
	}
	s.logf("conn %d: ack %s attempt %d after %v", c.id, ack.EnvelopeID, ack.Attempt, ack.Latency)
	s.notifyLocked()
}

// ackTimedOut redelivers e if its delivery number gen is still unacked.
func (s *Server) ackTimedOut(e *envelope, gen int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || e.state != stateInflight || e.gen != gen {
		return
	}
	delete(e.conn.inflight, e.id)
	s.logf("envelope %s attempt %d: no ack within %v", e.id, e.attempt, s.opts.AckTimeout)
	s.retryLocked(e, false)
	s.dispatchLocked()
	s.notifyLocked()
}

// retryLocked queues e again with attempt+1, or gives up on it. front puts it
// at the head of the queue.
func (s *Server) retryLocked(e *envelope, front bool) {
	if e.timer != nil {
		e.timer.Stop()
	}
	e.conn = nil
	if e.attempt >= s.opts.MaxRetries {
		e.state = stateGaveUp
		s.pending--
		s.logf("envelope %s: giving up after %d attempts", e.id, e.attempt+1)
		return
	}
	e.attempt++
	e.reason = "timeout"
	e.state = stateQueued
	if front {
		s.queue = append([]*envelope{e}, s.queue...)
	} else {
		s.queue = append(s.queue, e)
	}
}

// dispatchLocked hands queued envelopes to open, non-draining connections in
// round robin.
func (s *Server) dispatchLocked() {
	if s.closed {
		return
	}
	for len(s.queue) > 0 {
		active := s.activeConnsLocked()
		if len(active) == 0 {
			return
		}
		e := s.queue[0]
		s.queue[0] = nil
		s.queue = s.queue[1:]
		if e.state != stateQueued {
			continue
		}
		c := active[s.rr%len(active)]
		s.rr++
		e.state = stateAssigned
		e.conn = c
		c.outq = append(c.outq, &outFrame{env: e})
		c.signal()
	}
}

func (s *Server) activeConnsLocked() []*conn {
	var out []*conn
	for _, c := range s.conns {
		if !c.closed && !c.draining {
			out = append(out, c)
		}
	}
	return out
}

func (s *Server) closeConn(c *conn, why string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closeConnLocked(c, why)
}

// closeConnLocked closes c abruptly (no close frame), requeues what it had
// not written and redelivers what it had not got acked. Idempotent.
func (s *Server) closeConnLocked(c *conn, why string) {
	if c.closed {
		return
	}
	c.closed = true
	close(c.done)
	_ = c.ws.Close()
	for i, x := range s.conns {
		if x == c {
			s.conns = append(s.conns[:i], s.conns[i+1:]...)
			break
		}
	}
	var unsent []*envelope
	for _, f := range c.outq {
		if f.done != nil {
			f.done <- errConnClosed
		}
		if e := f.env; e != nil && e.state == stateAssigned && e.conn == c {
			e.state = stateQueued
			e.conn = nil
			unsent = append(unsent, e)
		}
	}
	c.outq = nil
	if !s.closed {
		s.queue = append(unsent, s.queue...)
		inflight := make([]*envelope, 0, len(c.inflight))
		for _, e := range c.inflight {
			inflight = append(inflight, e)
		}
		// Newest first, since each goes to the front: the oldest ends up first.
		sort.Slice(inflight, func(i, j int) bool { return inflight[i].sentAt.After(inflight[j].sentAt) })
		for _, e := range inflight {
			s.retryLocked(e, true)
		}
	}
	c.inflight = nil
	s.logf("conn %d closed (%s), %d open", c.id, why, len(s.conns))
	s.dispatchLocked()
	s.notifyLocked()
}

// SendEnvelope queues a Socket Mode envelope of type typ ("slash_commands",
// "events_api", "interactive", …) with payload (marshalled to JSON unless it
// is already json.RawMessage or []byte) and delivers it as soon as a
// connection is open. It returns the envelope id, or an error if payload is
// not valid JSON, ctx is done or the server is closed.
func (s *Server) SendEnvelope(ctx context.Context, typ string, payload any, acceptsResponse bool) (envelopeID string, err error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	raw, err := toRaw(payload)
	if err != nil {
		return "", fmt.Errorf("send %s envelope: %w", typ, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return "", ErrClosed
	}
	e := &envelope{id: newUUID(), typ: typ, payload: raw, acceptsResponse: acceptsResponse}
	s.envs[e.id] = e
	s.pending++
	s.queue = append(s.queue, e)
	s.dispatchLocked()
	s.notifyLocked()
	return e.id, nil
}

// SendRaw writes frame as one text frame to one open connection (for
// bad-input tests) and waits until it is written. It returns ErrNoConnection
// if none is open, or the write's error.
func (s *Server) SendRaw(ctx context.Context, frame []byte) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	active := s.activeConnsLocked()
	if len(active) == 0 {
		active = s.conns
	}
	if len(active) == 0 {
		s.mu.Unlock()
		return ErrNoConnection
	}
	c := active[s.rr%len(active)]
	s.rr++
	f := &outFrame{data: append([]byte(nil), frame...), done: make(chan error, 1)}
	c.outq = append(c.outq, f)
	c.signal()
	s.mu.Unlock()
	select {
	case err := <-f.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	case <-s.done:
		return ErrClosed
	}
}

// WaitAck waits for the first ack of envelopeID. It returns
// ErrUnknownEnvelope for an id the server never sent, ErrGaveUp when all
// deliveries went unacknowledged, or the context's error.
func (s *Server) WaitAck(ctx context.Context, envelopeID string) (Ack, error) {
	ack, err := waitFor(ctx, s, func() (Ack, bool, error) {
		if a, ok := s.firstAck[envelopeID]; ok {
			return a, true, nil
		}
		e, ok := s.envs[envelopeID]
		if !ok {
			return Ack{}, false, ErrUnknownEnvelope
		}
		if e.state == stateGaveUp {
			return Ack{}, false, ErrGaveUp
		}
		return Ack{}, false, nil
	})
	if err != nil {
		return Ack{}, fmt.Errorf("wait ack %s: %w", envelopeID, err)
	}
	return ack, nil
}

// Acks returns every ack received so far, in order, including repeated acks
// and acks of unknown envelopes.
func (s *Server) Acks() []Ack {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Ack(nil), s.acks...)
}

// Acked reports whether any ack of envelopeID has been received, even of
// an envelope the server never sent (SendRaw frames).
func (s *Server) Acked(envelopeID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.acks {
		if a.EnvelopeID == envelopeID {
			return true
		}
	}
	return false
}

// Pending returns how many envelopes were sent or queued and are neither
// acknowledged nor given up.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pending
}

// WaitConnected waits until the server has sent at least n hello envelopes
// in total (n connections ever made). It returns the context's error or
// ErrClosed otherwise.
func (s *Server) WaitConnected(ctx context.Context, n int) error {
	_, err := waitFor(ctx, s, func() (struct{}, bool, error) {
		return struct{}{}, s.hellos >= n, nil
	})
	if err != nil {
		return fmt.Errorf("wait for %d connections: %w", n, err)
	}
	return nil
}

// Connections returns the number of currently open websocket connections.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// Hellos returns how many hello envelopes were sent, one per connection ever
// made.
func (s *Server) Hellos() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hellos
}

// Disconnect sends {"type":"disconnect","reason":reason,…} to every open
// connection. Those connections get no further envelopes; what they had not
// yet written moves to other connections, and what they had written but not
// got acked is redelivered once they close.
func (s *Server) Disconnect(reason string) {
	msg, _ := json.Marshal(map[string]any{
		"type":       "disconnect",
		"reason":     reason,
		"debug_info": map[string]any{"host": "slackfake"},
	})
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		c.draining = true
		var keep []*outFrame
		var moved []*envelope
		for _, f := range c.outq {
			if e := f.env; e != nil {
				if e.state == stateAssigned && e.conn == c {
					e.state = stateQueued
					e.conn = nil
					moved = append(moved, e)
				}
				continue
			}
			keep = append(keep, f)
		}
		c.outq = append(keep, &outFrame{data: msg})
		s.queue = append(moved, s.queue...)
		c.signal()
	}
	s.logf("disconnect %q sent to %d connections", reason, len(s.conns))
	s.dispatchLocked()
	s.notifyLocked()
}

// DropConnections closes every connection's TCP socket abruptly, without a
// close frame, like a network failure.
func (s *Server) DropConnections() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range append([]*conn(nil), s.conns...) {
		s.closeConnLocked(c, "dropped")
	}
}

// SetPings stops (false) or resumes (true) the websocket pings, to play a
// server that went silent.
func (s *Server) SetPings(on bool) { s.pingsOn.Store(on) }

// FailConnectionsOpen makes the next n apps.connections.open calls fail with
// {"ok":false,"error":slackErr}, or with HTTP 500 when slackErr is "".
func (s *Server) FailConnectionsOpen(n int, slackErr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failOpen = n
	s.failOpenErr = slackErr
}

// HoldConnectionsOpen makes apps.connections.open calls wait, unanswered,
// until release is called: the client stays disconnected for as long as a
// test needs, however fast it retries. Calls held are then answered as
// usual (FailConnectionsOpen still applies). release may be called more
// than once.
func (s *Server) HoldConnectionsOpen() (release func()) {
	hold := make(chan struct{})
	s.mu.Lock()
	s.holdOpen = hold
	s.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			if s.holdOpen == hold {
				s.holdOpen = nil
			}
			s.mu.Unlock()
			close(hold)
		})
	}
}

// toRaw marshals v to JSON, passing json.RawMessage and []byte through after
// checking they are valid.
func toRaw(v any) (json.RawMessage, error) {
	var b []byte
	switch x := v.(type) {
	case json.RawMessage:
		b = x
	case []byte:
		b = x
	default:
		var err error
		if b, err = json.Marshal(v); err != nil {
			return nil, fmt.Errorf("marshal payload: %w", err)
		}
		return b, nil
	}
	if !json.Valid(b) {
		return nil, errors.New("payload is not valid JSON")
	}
	return append(json.RawMessage(nil), b...), nil
}
