package slackfake

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// Fault is a failure injected into the next calls of a method. A Fault
// with Status or SlackError answers before the method acts; one without
// lets the method act (a message is posted, a view published…) and then
// answers late (LateAnswer) or not at all (DropAnswer), which is how a
// client comes to believe a call failed that Slack carried out.
type Fault struct {
	// Status is the HTTP status to answer, e.g. 429 or 500; 0 means 200.
	Status int
	// RetryAfter is the Retry-After header in seconds; a 429 gets 1 when 0.
	RetryAfter int
	// SlackError, with Status 0 or 200, answers {"ok":false,"error":SlackError}.
	SlackError string
	// Delay is slept before the method acts (to provoke client timeouts
	// before anything has happened). A Fault with only a Delay answers
	// normally afterwards.
	Delay time.Duration
	// Hold, when set, makes the call wait before the method acts until
	// Hold is closed (or the client gives up): the test decides when
	// Slack gets to it. A call waiting is not in Calls yet. A Fault with
	// only a Hold answers normally afterwards.
	Hold <-chan struct{}
	// LateAnswer is slept after the method has acted and before its answer
	// is written: a client that gives up meanwhile does not learn that
	// Slack acted, and the call is recorded with Lost set.
	LateAnswer time.Duration
	// DropAnswer closes the connection without answering once the method
	// has acted, as a connection lost on the way back would: the client
	// sees EOF, and the call is recorded with Lost set.
	DropAnswer bool
}

// faultRule is an injected fault: for the next remaining calls of method,
// or, with rng set, for a share rate of them until ClearFaults.
type faultRule struct {
	method    string
	remaining int
	rate      float64
	rng       *rand.Rand
	f         Fault
}

// matches reports whether the rule applies to a call of method: "" stands
// for every method but apps.connections.open.
func (r *faultRule) matches(method string) bool {
	return r.method == method || (r.method == "" && method != methodConnectionsOpen)
}

// takeFaultLocked returns the fault for the next call of method, using it
// up, and false if there is none. Callers hold s.mu.
func (s *Server) takeFaultLocked(method string) (Fault, bool) {
	for i, rule := range s.faults {
		if !rule.matches(method) {
			continue
		}
		if rule.rng != nil {
			if rule.rng.Float64() < rule.rate {
				return rule.f, true
			}
			continue
		}
		rule.remaining--
		if rule.remaining <= 0 {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
		}
		return rule.f, true
	}
	return Fault{}, false
}

// applyFault takes the next matching injected fault, if any, and answers
// req with it if it is one that answers before the method acts. It returns
// the fault, for deliver to apply once the method has acted, and whether
// the request has been answered.
func (s *Server) applyFault(ctx context.Context, w http.ResponseWriter, req *apiRequest) (Fault, bool) {
	s.mu.Lock()
	f, ok := s.takeFaultLocked(req.method)
	s.mu.Unlock()
	if !ok {
		return f, false
	}
	if f.Delay > 0 || f.Hold != nil {
		err := s.sleep(ctx, f.Delay)
		if err == nil && f.Hold != nil {
			err = s.until(ctx, f.Hold)
		}
		switch {
		case errors.Is(err, ErrClosed):
			s.answer(w, req, http.StatusServiceUnavailable, nil, "server_closed", nil)
			return f, true
		case err != nil:
			s.answer(w, req, http.StatusRequestTimeout, nil, "client_gone", nil)
			return f, true
		}
	}
	switch {
	case f.Status != 0 && f.Status != http.StatusOK:
		header := http.Header{}
		retry := f.RetryAfter
		if retry == 0 && f.Status == http.StatusTooManyRequests {
			retry = 1
		}
		if retry > 0 {
			header.Set("Retry-After", strconv.Itoa(retry))
		}
		slackErr := f.SlackError
		if slackErr == "" {
			slackErr = "internal_error"
			if f.Status == http.StatusTooManyRequests {
				slackErr = "ratelimited"
			}
		}
		s.answer(w, req, f.Status, nil, slackErr, header)
		return f, true
	case f.SlackError != "":
		s.answer(w, req, http.StatusOK, nil, f.SlackError, nil)
		return f, true
	}
	return f, false
}

// InjectFault makes the next times calls of method ("" for any Web API
// method but apps.connections.open) answer with f. Faults are used in the
// order injected; times <= 0 does nothing.
func (s *Server) InjectFault(method string, times int, f Fault) {
	if times <= 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &faultRule{method: method, remaining: times, f: f})
}

// InjectFaultRate makes a share rate (0 to 1) of the calls of method (""
// for any Web API method but apps.connections.open) answer with f, until
// ClearFaults; e.g. InjectFaultRate("chat.postMessage", 0.05, 1,
// Fault{DropAnswer: true}) loses 5% of the answers to posts. Each call
// draws from a pseudo-random sequence seeded with seed, so the same seed
// and the same calls in the same order fault the same calls. Faults are
// used in the order injected; a call this one spares goes on to the next.
// rate <= 0 does nothing.
func (s *Server) InjectFaultRate(method string, rate float64, seed uint64, f Fault) {
	if rate <= 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &faultRule{method: method, rate: rate, rng: rand.New(rand.NewPCG(seed, seed)), f: f})
}

// deliver answers req once the method has acted, as f says: after
// f.LateAnswer, and not at all with f.DropAnswer or when the client has
// gone meanwhile (the call is then recorded with Lost set).
func (s *Server) deliver(ctx context.Context, w http.ResponseWriter, req *apiRequest, f Fault, status int, resp map[string]any, slackErr string, header http.Header) {
	if f.LateAnswer > 0 {
		switch err := s.sleep(ctx, f.LateAnswer); {
		case errors.Is(err, ErrClosed):
			f.DropAnswer = true
		case err != nil: // the client gave up
			s.record(req, 0, slackErr, answerBody(resp, slackErr), true)
			return
		}
	}
	if f.DropAnswer {
		// Recorded first, so that a test seeing the client fail finds the
		// call in Calls.
		s.record(req, 0, slackErr, answerBody(resp, slackErr), true)
		hangUp(w)
		return
	}
	s.answer(w, req, status, resp, slackErr, header)
}

// sleep waits for d, or returns early with the context's error or, once
// the server is closing, ErrClosed.
func (s *Server) sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-s.done:
		return ErrClosed
	}
}

// until waits for hold to be closed, or returns early with the context's
// error or, once the server is closing, ErrClosed.
func (s *Server) until(ctx context.Context, hold <-chan struct{}) error {
	select {
	case <-hold:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-s.done:
		return ErrClosed
	}
}

// hangUp closes the connection of w without writing a response.
func hangUp(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// Not hijackable (HTTP/2): the server resets the stream instead.
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close() // closing is the point; its error says nothing more
}

// ClearFaults removes every injected fault not yet used.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}
