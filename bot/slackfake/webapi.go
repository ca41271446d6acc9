package slackfake

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const methodConnectionsOpen = "apps.connections.open"

// Call is one Web API request the server answered, or acted on and lost
// the answer of.
type Call struct {
	// Method is the API method, e.g. "chat.postMessage".
	Method string
	// Params are the form values (first value of each), or the top-level
	// fields of a JSON body: JSON strings unquoted, other values as their raw
	// JSON text. The token is not included.
	Params map[string]string
	// Body is the raw request body.
	Body []byte
	// Token is the bearer token (from the Authorization header, or the
	// "token" form field that slack-go's form posts use).
	Token string
	At    time.Time
	// Status is the HTTP status answered, 0 if the answer was lost.
	Status int
	// SlackError is the "error" answered with "ok":false, "" when ok.
	SlackError string
	// Response is the JSON body answered, or the one that was lost.
	Response json.RawMessage
	// Lost reports that the method acted but the client never got the
	// answer: the connection was closed (Fault.DropAnswer), or the client
	// gave up before a late one (Fault.LateAnswer).
	Lost bool
}

// tokenBucket is a plain token bucket; rate 0 disables it.
type tokenBucket struct {
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

func (b *tokenBucket) allow(now time.Time) bool {
	if b.rate <= 0 {
		return true
	}
	b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true
	}
	return false
}

// apiRequest is a parsed Web API request.
type apiRequest struct {
	method string
	params map[string]string
	body   []byte
	token  string
	at     time.Time
}

// apiHandler answers one method under s.mu: the response fields (without
// "ok") or a Slack error code.
type apiHandler func(s *Server, r *apiRequest) (resp map[string]any, slackErr string)

func handlerFor(method string) apiHandler {
	switch method {
	case "auth.test":
		return (*Server).authTest
	case "chat.postMessage":
		return (*Server).chatPostMessage
	case "chat.postEphemeral":
		return (*Server).chatPostEphemeral
	case "chat.update":
		return (*Server).chatUpdate
	case "chat.delete":
		return (*Server).chatDelete
	case "conversations.open":
		return (*Server).conversationsOpen
	case "conversations.info":
		return (*Server).conversationsInfo
	case "conversations.members":
		return (*Server).conversationsMembers
	case "conversations.history":
		return (*Server).conversationsHistory
	case "users.info":
		return (*Server).usersInfo
	case "views.publish":
		return (*Server).viewsPublish
	case "views.open":
		return (*Server).viewsOpen
	case "views.update":
		return (*Server).viewsUpdate
	case "files.getUploadURLExternal":
		return (*Server).filesGetUploadURLExternal
	case "files.completeUploadExternal":
		return (*Server).filesCompleteUploadExternal
	}
	return nil
}

func (s *Server) handleAPI(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody))
	if err != nil {
		http.Error(w, "read body", http.StatusBadRequest)
		return
	}
	req := parseAPIRequest(r, body)
	if req.method == methodConnectionsOpen {
		s.connectionsOpen(r.Context(), w, req)
		return
	}
	switch {
	case req.token == "":
		s.answer(w, req, http.StatusOK, nil, "not_authed", nil)
		return
	case !strings.HasPrefix(req.token, "xoxb-"):
		s.answer(w, req, http.StatusOK, nil, "invalid_auth", nil)
		return
	case req.token == "xoxb-revoked":
		s.answer(w, req, http.StatusOK, nil, "token_revoked", nil)
		return
	case req.token == "xoxb-inactive":
		s.answer(w, req, http.StatusOK, nil, "account_inactive", nil)
		return
	}

	s.mu.Lock()
	limited := !s.bucket.allow(req.at)
	s.mu.Unlock()
	if limited {
		s.answer(w, req, http.StatusTooManyRequests, nil, "ratelimited", http.Header{"Retry-After": {"1"}})
		return
	}
	f, done := s.applyFault(r.Context(), w, req)
	if done {
		return
	}

	h := handlerFor(req.method)
	if h == nil {
		s.answer(w, req, http.StatusOK, nil, "unknown_method", nil)
		return
	}
	var header http.Header
	if req.method == "auth.test" {
		header = http.Header{"X-Oauth-Scopes": {strings.Join(s.opts.Scopes, ",")}}
	}
	s.mu.Lock()
	resp, slackErr := h(s, req)
	s.mu.Unlock()
	s.deliver(r.Context(), w, req, f, http.StatusOK, resp, slackErr, header)
}

// connectionsOpen answers apps.connections.open with a websocket URL.
func (s *Server) connectionsOpen(ctx context.Context, w http.ResponseWriter, req *apiRequest) {
	switch {
	case req.token == "":
		s.answer(w, req, http.StatusOK, nil, "not_authed", nil)
		return
	case !strings.HasPrefix(req.token, "xapp-"):
		s.answer(w, req, http.StatusOK, nil, "invalid_auth", nil)
		return
	case req.token == "xapp-revoked":
		s.answer(w, req, http.StatusOK, nil, "token_revoked", nil)
		return
	}
	s.mu.Lock()
	hold := s.holdOpen
	s.mu.Unlock()
	if hold != nil {
		select {
		case <-hold:
		case <-ctx.Done():
			s.answer(w, req, http.StatusRequestTimeout, nil, "client_gone", nil)
			return
		case <-s.done:
			s.answer(w, req, http.StatusServiceUnavailable, nil, "server_closed", nil)
			return
		}
	}
	s.mu.Lock()
	if s.failOpen > 0 {
		s.failOpen--
		slackErr := s.failOpenErr
		s.mu.Unlock()
		if slackErr == "" {
			s.answer(w, req, http.StatusInternalServerError, nil, "internal_error", nil)
		} else {
			s.answer(w, req, http.StatusOK, nil, slackErr, nil)
		}
		return
	}
	s.mu.Unlock()
	f, done := s.applyFault(ctx, w, req)
	if done {
		return
	}
	s.mu.Lock()
	ticket := strconv.FormatInt(s.nextSeqLocked(), 10)
	s.tickets[ticket] = true
	s.mu.Unlock()
	s.deliver(ctx, w, req, f, http.StatusOK, map[string]any{"url": s.wsURL + "/link/?ticket=" + ticket}, "", nil)
}

// answer writes the JSON response and records the call.
func (s *Server) answer(w http.ResponseWriter, req *apiRequest, status int, resp map[string]any, slackErr string, header http.Header) {
	b := answerBody(resp, slackErr)
	for k, v := range header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
	s.record(req, status, slackErr, b, false)
}

// answerBody returns the JSON answer: resp with "ok":true, or
// {"ok":false,"error":slackErr}.
func answerBody(resp map[string]any, slackErr string) []byte {
	body := map[string]any{}
	if slackErr != "" {
		body["ok"] = false
		body["error"] = slackErr
	} else {
		maps.Copy(body, resp)
		body["ok"] = true
	}
	b, _ := json.Marshal(body)
	return b
}

// record adds the call to Calls: answered with status and body, or, if
// lost, not answered at all.
func (s *Server) record(req *apiRequest, status int, slackErr string, body []byte, lost bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, Call{
		Method:     req.method,
		Params:     req.params,
		Body:       req.body,
		Token:      req.token,
		At:         req.at,
		Status:     status,
		SlackError: slackErr,
		Response:   body,
		Lost:       lost,
	})
	if status == http.StatusTooManyRequests {
		s.rateLimited[req.method]++
	}
	if lost {
		s.logf("%s -> answer lost %s", req.method, slackErr)
	} else {
		s.logf("%s -> %d %s", req.method, status, slackErr)
	}
	s.notifyLocked()
}

// parseAPIRequest reads the method, parameters and token of a request as
// slack-go sends them: form posts carry the token as a field, JSON posts and
// GETs in the Authorization header.
func parseAPIRequest(r *http.Request, body []byte) *apiRequest {
	req := &apiRequest{
		method: strings.TrimPrefix(r.URL.Path, "/api/"),
		params: map[string]string{},
		body:   body,
		at:     time.Now(),
	}
	for k, v := range r.URL.Query() {
		if len(v) > 0 {
			req.params[k] = v[0]
		}
	}
	ctype, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ctype == "application/json" {
		var fields map[string]json.RawMessage
		if json.Unmarshal(body, &fields) == nil {
			for k, v := range fields {
				var str string
				if json.Unmarshal(v, &str) == nil {
					req.params[k] = str
				} else {
					req.params[k] = string(v)
				}
			}
		}
	} else if vals, err := url.ParseQuery(string(body)); err == nil {
		for k, v := range vals {
			if len(v) > 0 {
				req.params[k] = v[0]
			}
		}
	}
	if auth := r.Header.Get("Authorization"); strings.HasPrefix(auth, "Bearer ") {
		req.token = strings.TrimPrefix(auth, "Bearer ")
	} else {
		req.token = req.params["token"]
	}
	delete(req.params, "token")
	return req
}

// Calls returns the recorded Web API calls of method ("" for all), in order.
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// WaitCall waits for the first call of method ("" for any) that matches
// (nil matches any), including calls made before it was called. It returns
// the context's error or ErrClosed otherwise.
func (s *Server) WaitCall(ctx context.Context, method string, match func(Call) bool) (Call, error) {
	c, err := waitSnapshot(ctx, s, func() []Call { return s.calls }, func(c Call) bool {
		return (method == "" || c.Method == method) && (match == nil || match(c))
	}, true)
	if err != nil {
		return Call{}, fmt.Errorf("wait call %s: %w", method, err)
	}
	return c, nil
}

// SetRateLimit puts a global token bucket of perSecond calls and burst over
// the Web API methods (not apps.connections.open, response_url or uploads):
// calls beyond it get HTTP 429 with Retry-After: 1. perSecond 0 disables it.
func (s *Server) SetRateLimit(perSecond float64, burst int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bucket = tokenBucket{rate: perSecond, burst: float64(max(burst, 1)), tokens: float64(max(burst, 1)), last: time.Now()}
}

// RateLimited returns how many calls of method ("" for all) were answered
// with HTTP 429, by the rate limit or an injected fault.
func (s *Server) RateLimited(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if method != "" {
		return s.rateLimited[method]
	}
	n := 0
	for _, v := range s.rateLimited {
		n += v
	}
	return n
}
