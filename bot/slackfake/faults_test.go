package slackfake_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/leadcoach/leadbot/bot/slackfake"
)

// lastCall returns the last recorded call of method.
func lastCall(t *testing.T, s *slackfake.Server, method string) slackfake.Call {
	t.Helper()
	calls := s.Calls(method)
	if len(calls) == 0 {
		t.Fatalf("no %s call recorded", method)
	}
	return calls[len(calls)-1]
}

// isSlackAnswer reports whether err is one slack-go makes of an answer
// (an "ok":false body or an HTTP status), as opposed to a failed
// connection.
func isSlackAnswer(err error) bool {
	var slackErr slack.SlackErrorResponse
	var status slack.StatusCodeError
	var limited *slack.RateLimitedError
	return errors.As(err, &slackErr) || errors.As(err, &status) || errors.As(err, &limited)
}

// TestDropAnswer: with DropAnswer the method does what the call asks and
// the client, instead of an answer, sees the connection closed (EOF). The
// call is recorded as lost, with the answer it would have had; the next
// call is answered.
func TestDropAnswer(t *testing.T) {
	s := newServer(t, slackfake.Options{})
	s.AddUser(slackfake.User{ID: "U1", Name: "ada"})
	api := apiClient(s, "xoxb-x")
	ctx := testContext(t)

	tests := []struct {
		name   string
		method string
		inject string // the method named in InjectFault
		call   func() error
		acted  func(t *testing.T) // checks that Slack did it
	}{
		{
			name: "message posted", method: "chat.postMessage", inject: "chat.postMessage",
			call: func() error {
				_, _, err := api.PostMessageContext(ctx, "DU1", slack.MsgOptionText("posted once", false))
				return err
			},
			acted: func(t *testing.T) {
				msgs := s.Messages("DU1")
				if len(msgs) != 1 || msgs[0].Text != "posted once" {
					t.Fatalf("messages = %+v, want the one posted", msgs)
				}
				var resp struct{ TS string }
				if err := json.Unmarshal(lastCall(t, s, "chat.postMessage").Response, &resp); err != nil || resp.TS != msgs[0].TS {
					t.Errorf("lost answer names ts %q (%v), want the message's %q", resp.TS, err, msgs[0].TS)
				}
			},
		},
		{
			name: "message updated, fault on any method", method: "chat.update", inject: "",
			call: func() error {
				_, _, _, err := api.UpdateMessageContext(ctx, "DU1", s.Messages("DU1")[0].TS, slack.MsgOptionText("updated", false))
				return err
			},
			acted: func(t *testing.T) {
				if m := s.Messages("DU1")[0]; m.Text != "updated" || !m.Edited {
					t.Errorf("message after the lost update = %+v", m)
				}
			},
		},
		{
			name: "home view published", method: "views.publish", inject: "views.publish",
			call: func() error {
				view := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: []slack.Block{
					slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "Streak: 4", false, false), nil, nil),
				}}}
				_, err := api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: "U1", View: view})
				return err
			},
			acted: func(t *testing.T) {
				if home, ok := s.HomeView("U1"); !ok || !strings.Contains(string(home), "Streak: 4") {
					t.Errorf("home view after the lost answer = %s", home)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.InjectFault(tt.inject, 1, slackfake.Fault{DropAnswer: true})
			err := tt.call()
			if err == nil || isSlackAnswer(err) {
				t.Fatalf("error = %v, want a dropped connection", err)
			}
			if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("error = %v, want EOF", err)
			}
			tt.acted(t)
			if c := lastCall(t, s, tt.method); !c.Lost || c.Status != 0 {
				t.Errorf("call recorded with Lost %v, Status %d; want lost, no status", c.Lost, c.Status)
			}
			if err := tt.call(); err != nil {
				t.Errorf("next call: %v, want the fault used up", err)
			}
			if c := lastCall(t, s, tt.method); c.Lost || c.Status != http.StatusOK {
				t.Errorf("next call recorded with Lost %v, Status %d; want answered 200", c.Lost, c.Status)
			}
		})
	}
}

// TestLateAnswer: with LateAnswer the method acts at once and answers
// after the delay. A client that waits gets the answer; one that times out
// first gets an error although the message is posted, and the call is
// recorded as lost.
func TestLateAnswer(t *testing.T) {
	s := newServer(t, slackfake.Options{})
	ctx := testContext(t)
	const late = 400 * time.Millisecond

	t.Run("client waits", func(t *testing.T) {
		s.InjectFault("chat.postMessage", 1, slackfake.Fault{LateAnswer: late})
		start := time.Now()
		_, ts, err := apiClient(s, "xoxb-x").PostMessageContext(ctx, "DU1", slack.MsgOptionText("patient", false))
		if err != nil {
			t.Fatal(err)
		}
		if waited := time.Since(start); waited < late {
			t.Errorf("answered after %v, want at least %v", waited, late)
		}
		if c := lastCall(t, s, "chat.postMessage"); c.Lost || c.Status != http.StatusOK || !strings.Contains(string(c.Response), ts) {
			t.Errorf("call = %+v, want answered with ts %s", c, ts)
		}
	})

	t.Run("client gives up first", func(t *testing.T) {
		s.InjectFault("chat.postMessage", 1, slackfake.Fault{LateAnswer: late})
		hasty := slack.New("xoxb-x", slack.OptionAPIURL(s.APIURL()), slack.OptionHTTPClient(&http.Client{Timeout: 50 * time.Millisecond}))
		_, _, err := hasty.PostMessageContext(ctx, "DU1", slack.MsgOptionText("posted though the client gave up", false))
		if err == nil || isSlackAnswer(err) {
			t.Fatalf("error = %v, want a client timeout", err)
		}
		// The post happened before the client's timeout.
		if !slices.ContainsFunc(s.Messages("DU1"), func(m slackfake.Message) bool { return m.Text == "posted though the client gave up" }) {
			t.Errorf("message not posted: %+v", s.Messages("DU1"))
		}
		c, err := s.WaitCall(ctx, "chat.postMessage", func(c slackfake.Call) bool { return c.Lost })
		if err != nil {
			t.Fatalf("no lost call recorded: %v", err)
		}
		if c.Status != 0 || c.Params["text"] != "posted though the client gave up" {
			t.Errorf("lost call = %+v", c)
		}
	})
}

// lostPattern posts n messages one after another to a new server losing
// rate of the answers to posts with seed, and returns which posts failed.
// Every message must be posted all the same, and the failures must be the
// calls recorded as lost.
func lostPattern(t *testing.T, n int, rate float64, seed uint64) []bool {
	t.Helper()
	s := newServer(t, slackfake.Options{})
	s.InjectFaultRate("chat.postMessage", rate, seed, slackfake.Fault{DropAnswer: true})
	api := apiClient(s, "xoxb-x")
	ctx := testContext(t)
	failed := make([]bool, n)
	for i := range n {
		if _, _, err := api.PostMessageContext(ctx, "DU1", slack.MsgOptionText("nudge", false)); err != nil {
			if isSlackAnswer(err) {
				t.Fatalf("post %d: %v, want only dropped connections", i, err)
			}
			failed[i] = true
		}
	}
	if got := len(s.Messages("DU1")); got != n {
		t.Errorf("%d messages posted, want all %d", got, n)
	}
	calls := s.Calls("chat.postMessage")
	for i, c := range calls {
		if c.Lost != failed[i] {
			t.Errorf("post %d: failed %v, recorded lost %v", i, failed[i], c.Lost)
		}
	}
	// The fault stays until cleared, and a cleared server answers again.
	s.ClearFaults()
	for range 20 {
		if _, _, err := api.PostMessageContext(ctx, "DU1", slack.MsgOptionText("after", false)); err != nil {
			t.Fatalf("post after ClearFaults: %v", err)
		}
	}
	return failed
}

func count(b []bool) int {
	n := 0
	for _, v := range b {
		if v {
			n++
		}
	}
	return n
}

// TestInjectFaultRate: a share of the answers is lost, the same calls for
// the same seed, other calls for another seed; 0 loses none, 1 all.
func TestInjectFaultRate(t *testing.T) {
	const n = 200
	first := lostPattern(t, n, 0.05, 7)
	if lost := count(first); lost < 3 || lost > 20 {
		t.Errorf("%d of %d answers lost at 5%%, want about 10", lost, n)
	}
	if again := lostPattern(t, n, 0.05, 7); !slices.Equal(first, again) {
		t.Errorf("the same seed lost other answers:\n%v\n%v", first, again)
	}
	if other := lostPattern(t, n, 0.05, 8); slices.Equal(first, other) {
		t.Error("another seed lost the same answers")
	}
	if lost := count(lostPattern(t, 20, 0, 7)); lost != 0 {
		t.Errorf("rate 0 lost %d answers", lost)
	}
	if lost := count(lostPattern(t, 20, 1, 7)); lost != 20 {
		t.Errorf("rate 1 lost %d of 20 answers", lost)
	}
}

// TestInjectFaultRateSparesOtherMethods: a rate on one method leaves the
// others alone, and a call it spares still meets a fault injected after it.
func TestInjectFaultRateSparesOtherMethods(t *testing.T) {
	s := newServer(t, slackfake.Options{})
	api := apiClient(s, "xoxb-x")
	ctx := testContext(t)
	s.InjectFaultRate("chat.postMessage", 1, 1, slackfake.Fault{DropAnswer: true})
	s.InjectFaultRate("views.publish", 0.0001, 1, slackfake.Fault{DropAnswer: true})
	s.InjectFault("views.publish", 1, slackfake.Fault{SlackError: "invalid_arguments"})
	if _, err := api.AuthTestContext(ctx); err != nil {
		t.Errorf("auth.test: %v", err)
	}
	_, err := api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: "U1", View: slack.HomeTabViewRequest{Type: slack.VTHomeTab}})
	if err == nil || err.Error() != "invalid_arguments" {
		t.Errorf("views.publish = %v, want the counted fault after the spared rate", err)
	}
}

// TestHold: a held call waits, unanswered and not yet in Calls, until the
// test closes Hold; then the method acts and answers as usual.
func TestHold(t *testing.T) {
	s := newServer(t, slackfake.Options{})
	ctx := testContext(t)
	hold := make(chan struct{})
	s.InjectFault("views.publish", 1, slackfake.Fault{Hold: hold})
	done := make(chan error, 1)
	go func() {
		_, err := apiClient(s, "xoxb-x").PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: "U1",
			View: slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: []slack.Block{
				slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "held", false, false), nil, nil)}}}})
		done <- err
	}()
	// Other calls are answered meanwhile.
	if _, err := apiClient(s, "xoxb-x").AuthTestContext(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		t.Fatalf("a held call answered before the hold was released: %v", err)
	default:
	}
	if _, ok := s.HomeView("U1"); ok || len(s.Calls("views.publish")) != 0 {
		t.Error("a held call acted or was recorded before the hold was released")
	}
	close(hold)
	if err := <-done; err != nil {
		t.Fatalf("views.publish after the hold = %v", err)
	}
	if home, ok := s.HomeView("U1"); !ok || !strings.Contains(string(home), "held") {
		t.Errorf("Home view after the hold = %s, %v", home, ok)
	}
}
