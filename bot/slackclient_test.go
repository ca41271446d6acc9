package bot

import (
	"context"
	"net"
	"net/http"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/leadcoach/leadbot/bot/slackfake"
)

// refuseFirst is a transport whose first request fails as a refused
// connection does, before anything is sent.
type refuseFirst struct {
	next    http.RoundTripper
	refused atomic.Bool
}

func (t *refuseFirst) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.refused.CompareAndSwap(false, true) {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	}
	return t.next.RoundTrip(req)
}

// TestWebAPIRetries: the bot's Web API client tries a call again after a
// failed connection only when that cannot do anything twice: a read, or a
// request that never left. A post whose answer was lost is not sent again
// (recovery finds it), nor is one answered 5xx.
func TestWebAPIRetries(t *testing.T) {
	t.Parallel()
	post := func(ctx context.Context, api *slack.Client) error {
		_, _, err := api.PostMessageContext(ctx, "D0ANA", slack.MsgOptionText("hello", false))
		return err
	}
	history := func(ctx context.Context, api *slack.Client) error {
		_, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: "D0ANA"})
		return err
	}
	upload := func(ctx context.Context, api *slack.Client) error {
		_, err := api.UploadFileContext(ctx, slack.UploadFileParameters{Content: "chart", FileSize: 5, Filename: "c.png", Channel: "D0ANA"})
		return err
	}
	tests := []struct {
		name    string
		method  string
		fault   slackfake.Fault
		refuse  bool // the first connection is refused
		call    func(context.Context, *slack.Client) error
		calls   int // of method that reach Slack
		wantErr bool
	}{
		{name: "post, answer lost", method: "chat.postMessage", fault: slackfake.Fault{DropAnswer: true}, call: post, calls: 1, wantErr: true},
		{name: "post, 500", method: "chat.postMessage", fault: slackfake.Fault{Status: 500}, call: post, calls: 1, wantErr: true},
		{name: "post, connection refused", method: "chat.postMessage", refuse: true, call: post, calls: 1},
		{name: "file shared, answer lost", method: "files.completeUploadExternal", fault: slackfake.Fault{DropAnswer: true}, call: upload, calls: 1, wantErr: true},
		{name: "history, answer lost", method: "conversations.history", fault: slackfake.Fault{DropAnswer: true}, call: history, calls: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake, err := slackfake.New(slackfake.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer fake.Close()
			fake.AddUser(slackfake.User{ID: "U0ANA"})
			fake.AddChannel(slackfake.Channel{ID: "D0ANA", Members: []string{"U0ANA"}, BotIsMember: true})
			fake.InjectFault(tt.method, 1, tt.fault)
			var transport http.RoundTripper = loopbackOnly()
			if tt.refuse {
				transport = &refuseFirst{next: transport}
			}
			api := slack.New("xoxb-test", WebAPIOptions(WebAPIConfig{URL: fake.APIURL(), Timeout: 5 * time.Second, Transport: transport})...)
			err = tt.call(context.Background(), api)
			if (err != nil) != tt.wantErr {
				t.Errorf("error = %v, want one: %t", err, tt.wantErr)
			}
			if n := len(fake.Calls(tt.method)); n != tt.calls {
				t.Errorf("%d calls of %s reached Slack, want %d", n, tt.method, tt.calls)
			}
		})
	}
}
