package slackfake

import (
	"context"
	"net/http"
	"strconv"
	"time"
)

// Fault is a failure injected into the next calls of a method.
type Fault struct {
	// Status is the HTTP status to answer, e.g. 429 or 500; 0 means 200.
	Status int
	// RetryAfter is the Retry-After header in seconds; a 429 gets 1 when 0.
	RetryAfter int
	// SlackError, with Status 0 or 200, answers {"ok":false,"error":SlackError}.
	SlackError string
	// Delay is slept before answering (to provoke client timeouts). A Fault
	// with only a Delay answers normally afterwards.
	Delay time.Duration
}

type faultRule struct {
	method    string
	remaining int
	f         Fault
}

// applyFault answers req with the next matching injected fault, if any. It
// reports whether the request has been answered.
func (s *Server) applyFault(ctx context.Context, w http.ResponseWriter, req *apiRequest) bool {
	s.mu.Lock()
	var f *Fault
	for i, rule := range s.faults {
		if rule.method == req.method || (rule.method == "" && req.method != methodConnectionsOpen) {
			fault := rule.f
			f = &fault
			rule.remaining--
			if rule.remaining <= 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
			break
		}
	}
	s.mu.Unlock()
	if f == nil {
		return false
	}
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			s.answer(w, req, http.StatusRequestTimeout, nil, "client_gone", nil)
			return true
		case <-s.done:
			t.Stop()
			s.answer(w, req, http.StatusServiceUnavailable, nil, "server_closed", nil)
			return true
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
		return true
	case f.SlackError != "":
		s.answer(w, req, http.StatusOK, nil, f.SlackError, nil)
		return true
	}
	return false
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

// ClearFaults removes every injected fault not yet used.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}
