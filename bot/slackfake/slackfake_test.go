package slackfake_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/leadcoach/leadbot/bot/slackfake"
)

// newServer starts a fake Slack closed at the end of the test.
func newServer(t *testing.T, opts slackfake.Options) *slackfake.Server {
	t.Helper()
	s, err := slackfake.New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func apiClient(s *slackfake.Server, token string) *slack.Client {
	return slack.New(token, slack.OptionAppLevelToken("xapp-x"), slack.OptionAPIURL(s.APIURL()))
}

// client is a real slack-go Socket Mode client running against the fake.
type client struct {
	sm   *socketmode.Client
	reqs chan socketmode.Request // every envelope with an id, as received
}

// startClient runs a socketmode client until the test ends. It does not ack:
// tests call ack.
func startClient(t *testing.T, s *slackfake.Server, opts ...socketmode.Option) *client {
	t.Helper()
	opts = append([]socketmode.Option{socketmode.OptionLog(log.New(io.Discard, "", 0))}, opts...)
	c := &client{
		sm:   socketmode.New(apiClient(s, "xoxb-x"), opts...),
		reqs: make(chan socketmode.Request, 100),
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = c.sm.RunContext(ctx) })
	wg.Go(func() {
		for {
			select {
			case <-ctx.Done():
				return
			case evt := <-c.sm.Events:
				if evt.Request == nil || evt.Request.EnvelopeID == "" {
					continue
				}
				select {
				case c.reqs <- *evt.Request:
				case <-ctx.Done():
					return
				}
			}
		}
	})
	t.Cleanup(func() {
		cancel()
		wg.Wait()
	})
	return c
}

// next returns the next envelope the client received.
func (c *client) next(t *testing.T) socketmode.Request {
	t.Helper()
	select {
	case r := <-c.reqs:
		return r
	case <-time.After(5 * time.Second):
		t.Fatal("no envelope received within 5s")
		return socketmode.Request{}
	}
}

func (c *client) ack(t *testing.T, r socketmode.Request, payload any) {
	t.Helper()
	if err := c.sm.Ack(r, payload); err != nil {
		t.Fatalf("Ack: %v", err)
	}
}

func TestSlashCommandAck(t *testing.T) {
	s := newServer(t, slackfake.Options{})
	ctx := testContext(t)
	c := startClient(t, s)
	if err := s.WaitConnected(ctx, 1); err != nil {
		t.Fatal(err)
	}

	id, err := s.SendSlashCommand(ctx, slack.SlashCommand{UserID: "U1", Text: "delegation"})
	if err != nil {
		t.Fatalf("SendSlashCommand: %v", err)
	}
	req := c.next(t)
	var cmd slack.SlashCommand
	if err := json.Unmarshal(req.Payload, &cmd); err != nil {
		t.Fatalf("payload: %v", err)
	}
	tests := []struct {
		name      string
		got, want any
	}{
		{"envelope id", req.EnvelopeID, id},
		{"type", req.Type, "slash_commands"},
		{"accepts response payload", req.AcceptsResponsePayload, true},
		{"retry attempt", req.RetryAttempt, 0},
		{"command", cmd.Command, "/lead-tip"},
		{"channel", cmd.ChannelID, "C0GENERAL"},
		{"user", cmd.UserID, "U1"},
		{"text", cmd.Text, "delegation"},
		{"team", cmd.TeamID, "T0LEAD"},
		{"app", cmd.APIAppID, "A0LEAD"},
		{"response url on the fake", strings.HasPrefix(cmd.ResponseURL, s.URL()+"/response/"), true},
		{"trigger id set", cmd.TriggerID != "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}

	c.ack(t, req, map[string]string{"text": "on it"})
	ack, err := s.WaitAck(ctx, id)
	if err != nil {
		t.Fatalf("WaitAck: %v", err)
	}
	if got, want := string(ack.Payload), `{"text":"on it"}`; got != want {
		t.Errorf("ack payload = %s, want %s", got, want)
	}
	if ack.Latency <= 0 || ack.Latency > 5*time.Second {
		t.Errorf("ack latency = %v, want > 0", ack.Latency)
	}
	if got := s.Pending(); got != 0 {
		t.Errorf("Pending = %d, want 0", got)
	}
}

func TestRedelivery(t *testing.T) {
	tests := []struct {
		name       string
		maxRetries int
		ackAt      int // attempt to ack; -1 never
		wantErr    error
		wantTries  int
	}{
		{name: "acked on first retry", maxRetries: 3, ackAt: 1, wantTries: 2},
		{name: "acked on last retry", maxRetries: 2, ackAt: 2, wantTries: 3},
		{name: "never acked gives up", maxRetries: 1, ackAt: -1, wantErr: slackfake.ErrGaveUp, wantTries: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, slackfake.Options{AckTimeout: 80 * time.Millisecond, MaxRetries: tt.maxRetries})
			ctx := testContext(t)
			c := startClient(t, s)
			id, _, err := s.SendEvent(ctx, map[string]any{"type": "app_home_opened", "user": "U1", "tab": "home"})
			if err != nil {
				t.Fatal(err)
			}
			for attempt := 0; attempt < tt.wantTries; attempt++ {
				req := c.next(t)
				if req.EnvelopeID != id || req.RetryAttempt != attempt {
					t.Fatalf("got envelope %s attempt %d, want %s attempt %d", req.EnvelopeID, req.RetryAttempt, id, attempt)
				}
				if wantReason := map[bool]string{true: "", false: "timeout"}[attempt == 0]; req.RetryReason != wantReason {
					t.Errorf("attempt %d retry_reason = %q, want %q", attempt, req.RetryReason, wantReason)
				}
				if attempt == tt.ackAt {
					c.ack(t, req, nil)
				}
			}
			ack, err := s.WaitAck(ctx, id)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("WaitAck error = %v, want %v", err, tt.wantErr)
			}
			if err == nil && ack.Attempt != tt.ackAt {
				t.Errorf("ack attempt = %d, want %d", ack.Attempt, tt.ackAt)
			}
			if got := s.Pending(); got != 0 {
				t.Errorf("Pending = %d, want 0", got)
			}
			select {
			case r := <-c.reqs:
				t.Errorf("unexpected delivery after the end: attempt %d", r.RetryAttempt)
			case <-time.After(150 * time.Millisecond):
			}
		})
	}
}

func TestReconnect(t *testing.T) {
	tests := []struct {
		name       string
		opts       slackfake.Options
		clientOpts []socketmode.Option
		cut        func(s *slackfake.Server)
		restore    func(s *slackfake.Server)
	}{
		{name: "disconnect refresh_requested", cut: func(s *slackfake.Server) { s.Disconnect("refresh_requested") }},
		{name: "disconnect warning", cut: func(s *slackfake.Server) { s.Disconnect("warning") }},
		{name: "dropped tcp", cut: (*slackfake.Server).DropConnections},
		{
			name:       "pings stop",
			opts:       slackfake.Options{PingInterval: 30 * time.Millisecond},
			clientOpts: []socketmode.Option{socketmode.OptionPingInterval(250 * time.Millisecond)},
			cut:        func(s *slackfake.Server) { s.SetPings(false) },
			restore:    func(s *slackfake.Server) { s.SetPings(true) },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, tt.opts)
			ctx := testContext(t)
			c := startClient(t, s, tt.clientOpts...)
			if err := s.WaitConnected(ctx, 1); err != nil {
				t.Fatal(err)
			}
			tt.cut(s)
			if err := s.WaitConnected(ctx, 2); err != nil {
				t.Fatalf("no reconnect: %v", err)
			}
			if tt.restore != nil {
				tt.restore(s)
			}
			id, err := s.SendSlashCommand(ctx, slack.SlashCommand{})
			if err != nil {
				t.Fatal(err)
			}
			req := c.next(t)
			c.ack(t, req, nil)
			if _, err := s.WaitAck(ctx, id); err != nil {
				t.Fatalf("WaitAck after reconnect: %v", err)
			}
		})
	}
}

func TestDeliveryAcrossDisconnects(t *testing.T) {
	t.Run("queued while disconnected", func(t *testing.T) {
		s := newServer(t, slackfake.Options{})
		ctx := testContext(t)
		c := startClient(t, s)
		if err := s.WaitConnected(ctx, 1); err != nil {
			t.Fatal(err)
		}
		s.FailConnectionsOpen(2, "")
		s.DropConnections()
		if got := s.Connections(); got != 0 {
			t.Fatalf("Connections after drop = %d, want 0", got)
		}
		id, err := s.SendSlashCommand(ctx, slack.SlashCommand{Text: "while away"})
		if err != nil {
			t.Fatal(err)
		}
		req := c.next(t)
		if req.EnvelopeID != id || req.RetryAttempt != 0 {
			t.Errorf("got %s attempt %d, want %s attempt 0", req.EnvelopeID, req.RetryAttempt, id)
		}
		c.ack(t, req, nil)
		if _, err := s.WaitAck(ctx, id); err != nil {
			t.Fatal(err)
		}
		var failed int
		for _, call := range s.Calls("apps.connections.open") {
			if call.Status == http.StatusInternalServerError {
				failed++
			}
		}
		if failed != 2 {
			t.Errorf("failed apps.connections.open = %d, want 2", failed)
		}
	})

	t.Run("unacked redelivered on next connection", func(t *testing.T) {
		s := newServer(t, slackfake.Options{AckTimeout: time.Minute})
		ctx := testContext(t)
		c := startClient(t, s)
		id, err := s.SendSlashCommand(ctx, slack.SlashCommand{})
		if err != nil {
			t.Fatal(err)
		}
		first := c.next(t)
		s.DropConnections()
		retry := c.next(t)
		if retry.EnvelopeID != first.EnvelopeID || retry.RetryAttempt != 1 || retry.RetryReason != "timeout" {
			t.Errorf("got %s attempt %d %q, want %s attempt 1 \"timeout\"", retry.EnvelopeID, retry.RetryAttempt, retry.RetryReason, id)
		}
		c.ack(t, retry, nil)
		ack, err := s.WaitAck(ctx, id)
		if err != nil || ack.Attempt != 1 {
			t.Errorf("WaitAck = attempt %d, %v; want attempt 1", ack.Attempt, err)
		}
		if got := s.Hellos(); got < 2 {
			t.Errorf("Hellos = %d, want >= 2", got)
		}
	})

	t.Run("round robin over two connections", func(t *testing.T) {
		s := newServer(t, slackfake.Options{})
		ctx := testContext(t)
		a, b := startClient(t, s), startClient(t, s)
		if err := s.WaitConnected(ctx, 2); err != nil {
			t.Fatal(err)
		}
		for range 4 {
			if _, _, err := s.SendEvent(ctx, map[string]any{"type": "app_home_opened", "user": "U1"}); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range []*client{a, b} {
			for range 2 {
				c.ack(t, c.next(t), nil)
			}
		}
		if got := s.Connections(); got != 2 {
			t.Errorf("Connections = %d, want 2", got)
		}
	})
}

func TestSendEventAndInteraction(t *testing.T) {
	s := newServer(t, slackfake.Options{})
	ctx := testContext(t)
	c := startClient(t, s)

	envID, eventID, err := s.SendEvent(ctx, map[string]any{"type": "message", "channel": "DU1", "user": "U1", "text": "hi", "channel_type": "im"})
	if err != nil {
		t.Fatal(err)
	}
	resentID, err := s.SendEventWithID(ctx, map[string]any{"type": "message", "channel": "DU1", "user": "U1", "text": "hi", "channel_type": "im"}, eventID)
	if err != nil {
		t.Fatal(err)
	}
	if envID == resentID {
		t.Errorf("re-sent event reused envelope id %s", envID)
	}
	for _, wantEnv := range []string{envID, resentID} {
		req := c.next(t)
		c.ack(t, req, nil)
		var p struct {
			Type           string `json:"type"`
			EventID        string `json:"event_id"`
			TeamID         string `json:"team_id"`
			Event          struct{ Type, Text, EventTS string }
			Authorizations []struct {
				UserID string `json:"user_id"`
				IsBot  bool   `json:"is_bot"`
			}
		}
		if err := json.Unmarshal(req.Payload, &p); err != nil {
			t.Fatal(err)
		}
		got := []any{req.EnvelopeID, req.Type, p.Type, p.EventID, p.TeamID, p.Event.Type, p.Event.Text, p.Authorizations[0].UserID, p.Authorizations[0].IsBot}
		want := []any{wantEnv, "events_api", "event_callback", eventID, "T0LEAD", "message", "hi", "U0BOT", true}
		if !slices.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
	}
	if _, _, err := s.SendEvent(ctx, map[string]any{"user": "U1"}); err == nil {
		t.Error("SendEvent without a type: got no error")
	}

	// A click on a posted button arrives as a block_actions interaction.
	api := apiClient(s, "xoxb-x")
	btn := slack.NewButtonBlockElement("another_tip", "v1", slack.NewTextBlockObject(slack.PlainTextType, "Another tip", false, false))
	_, ts, err := api.PostMessageContext(ctx, "DU1", slack.MsgOptionBlocks(slack.NewActionBlock("tips", btn)))
	if err != nil {
		t.Fatal(err)
	}
	msg := s.Messages("DU1")[0]
	clickID, err := s.ClickButton(ctx, slackfake.Click{UserID: "U1", ActionID: "another_tip", Blocks: msg.Blocks, ChannelID: "DU1", MessageTS: ts})
	if err != nil {
		t.Fatal(err)
	}
	req := c.next(t)
	c.ack(t, req, nil)
	var cb slack.InteractionCallback
	if err := json.Unmarshal(req.Payload, &cb); err != nil {
		t.Fatal(err)
	}
	got := []any{req.EnvelopeID, req.Type, string(cb.Type), cb.User.ID, cb.Container.MessageTs, cb.ActionCallback.BlockActions[0].ActionID, cb.ActionCallback.BlockActions[0].Value, cb.ActionCallback.BlockActions[0].BlockID, strings.HasPrefix(cb.ResponseURL, s.URL())}
	want := []any{clickID, "interactive", "block_actions", "U1", ts, "another_tip", "v1", "tips", true}
	if !slices.Equal(got, want) {
		t.Errorf("click: got %v, want %v", got, want)
	}
}

func TestSendRaw(t *testing.T) {
	s := newServer(t, slackfake.Options{})
	ctx := testContext(t)
	if err := s.SendRaw(ctx, []byte("{")); !errors.Is(err, slackfake.ErrNoConnection) {
		t.Errorf("SendRaw without connection = %v, want ErrNoConnection", err)
	}
	c := startClient(t, s)
	if err := s.WaitConnected(ctx, 1); err != nil {
		t.Fatal(err)
	}
	for _, frame := range []string{"{", `{"type":"nonsense"}`, ""} {
		if err := s.SendRaw(ctx, []byte(frame)); err != nil {
			t.Errorf("SendRaw(%q): %v", frame, err)
		}
	}
	// The client survives bad frames and still handles envelopes.
	id, err := s.SendSlashCommand(ctx, slack.SlashCommand{})
	if err != nil {
		t.Fatal(err)
	}
	c.ack(t, c.next(t), nil)
	if _, err := s.WaitAck(ctx, id); err != nil {
		t.Fatal(err)
	}
}

func TestWebAPI(t *testing.T) {
	s := newServer(t, slackfake.Options{Scopes: []string{"chat:write", "im:write", "users:read"}})
	s.AddChannel(slackfake.Channel{ID: "C0GENERAL", Name: "general", BotIsMember: true})
	s.AddChannel(slackfake.Channel{ID: "C0OUT", Name: "outside", Members: []string{"U1"}})
	s.AddChannel(slackfake.Channel{ID: "C0OLD", Name: "old", BotIsMember: true, IsArchived: true})
	s.AddUser(slackfake.User{ID: "U1", Name: "ada", TZ: "Europe/Berlin"})
	api := apiClient(s, "xoxb-x")
	ctx := testContext(t)

	blocks := slack.MsgOptionBlocks(
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "*Tip:* say thanks", false, false), nil, nil),
		slack.NewActionBlock("b1", slack.NewButtonBlockElement("more", "m", slack.NewTextBlockObject(slack.PlainTextType, "More", false, false))),
	)

	tests := []struct {
		name    string
		run     func() error
		method  string // the call it must record
		wantErr string // the error text slack-go returns, "" for none
	}{
		{
			name: "auth.test with scopes header", method: "auth.test",
			run: func() error {
				r, err := api.AuthTestContext(ctx)
				if err != nil {
					return err
				}
				if r.UserID != "U0BOT" || r.BotID != "B0BOT" || r.TeamID != "T0LEAD" || r.Header.Get("X-Oauth-Scopes") != "chat:write,im:write,users:read" {
					t.Errorf("auth.test = %+v", r)
				}
				return nil
			},
		},
		{
			name: "post message with blocks", method: "chat.postMessage",
			run: func() error {
				ch, ts, err := api.PostMessageContext(ctx, "C0GENERAL", slack.MsgOptionText("fallback", false), blocks, slack.MsgOptionTS("1.000001"))
				if err != nil {
					return err
				}
				m, err := s.WaitMessage(ctx, func(m slackfake.Message) bool { return m.TS == ts })
				if err != nil {
					return err
				}
				if ch != "C0GENERAL" || m.ThreadTS != "1.000001" || m.User != "U0BOT" {
					t.Errorf("message = %+v", m)
				}
				if got, want := slackfake.VisibleText(m.Text, m.Blocks), "fallback\n*Tip:* say thanks\nMore"; got != want {
					t.Errorf("VisibleText = %q, want %q", got, want)
				}
				return nil
			},
		},
		{
			name: "post ephemeral", method: "chat.postEphemeral",
			run: func() error {
				ts, err := api.PostEphemeralContext(ctx, "C0GENERAL", "U1", slack.MsgOptionText("just you", false))
				if err != nil {
					return err
				}
				e := s.Ephemerals("C0GENERAL")
				if len(e) != 1 || e[0].User != "U1" || e[0].Text != "just you" || e[0].TS != ts {
					t.Errorf("ephemerals = %+v", e)
				}
				return nil
			},
		},
		{
			name: "update message", method: "chat.update",
			run: func() error {
				_, ts, err := api.PostMessageContext(ctx, "C0GENERAL", slack.MsgOptionText("v1", false))
				if err != nil {
					return err
				}
				if _, _, _, err := api.UpdateMessageContext(ctx, "C0GENERAL", ts, slack.MsgOptionText("v2", false)); err != nil {
					return err
				}
				for _, m := range s.Messages("C0GENERAL") {
					if m.TS == ts && (m.Text != "v2" || !m.Edited) {
						t.Errorf("updated message = %+v", m)
					}
				}
				_, _, _, err = api.UpdateMessageContext(ctx, "C0GENERAL", "9.999999", slack.MsgOptionText("v2", false))
				return err
			},
			wantErr: "message_not_found",
		},
		{
			name: "open conversation", method: "conversations.open",
			run: func() error {
				ch, _, _, err := api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{"U1"}})
				if err != nil {
					return err
				}
				if ch.ID != "DU1" {
					t.Errorf("channel id = %s, want DU1", ch.ID)
				}
				return nil
			},
		},
		{
			name: "user info with tz", method: "users.info",
			run: func() error {
				u, err := api.GetUserInfoContext(ctx, "U1")
				if err != nil {
					return err
				}
				berlin, _ := time.LoadLocation("Europe/Berlin")
				_, offset := time.Now().In(berlin).Zone()
				if u.TZ != "Europe/Berlin" || u.TZOffset != offset || u.Name != "ada" {
					t.Errorf("user = %s %s %d", u.Name, u.TZ, u.TZOffset)
				}
				s.UpdateUser(slackfake.User{ID: "U1", Name: "ada", TZ: "Asia/Tokyo"})
				if u, err = api.GetUserInfoContext(ctx, "U1"); err != nil || u.TZ != "Asia/Tokyo" || u.TZOffset != 9*3600 {
					t.Errorf("after UpdateUser: %v %v", u, err)
				}
				_, err = api.GetUserInfoContext(ctx, "U404")
				return err
			},
			wantErr: "user_not_found",
		},
		{
			name: "publish home view", method: "views.publish",
			run: func() error {
				view := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: []slack.Block{
					slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "Your streak: 3", false, false), nil, nil),
				}}}
				r, err := api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: "U1", View: view})
				if err != nil {
					return err
				}
				home, ok := s.HomeView("U1")
				if r.ID == "" || !ok || !strings.Contains(string(home), "Your streak: 3") {
					t.Errorf("view id %q, home %s", r.ID, home)
				}
				return nil
			},
		},
		{
			name: "upload file", method: "files.completeUploadExternal",
			run: func() error {
				f, err := api.UploadFileContext(ctx, slack.UploadFileParameters{
					Filename: "report.csv", Content: "a,b\n1,2\n", FileSize: 8, Title: "Report", Channel: "C0GENERAL", InitialComment: "weekly",
				})
				if err != nil {
					return err
				}
				files := s.Files()
				want := slackfake.File{ID: f.ID, Name: "report.csv", Title: "Report", Channel: "C0GENERAL", Length: 8, Content: []byte("a,b\n1,2\n"), Uploaded: true, Completed: true, InitialComment: "weekly"}
				if len(files) != 1 || !equalFile(files[0], want) || f.Title != "Report" {
					t.Errorf("files = %+v, want %+v", files, want)
				}
				return nil
			},
		},
		{
			name: "unknown channel", method: "chat.postMessage", wantErr: "channel_not_found",
			run: func() error {
				_, _, err := api.PostMessageContext(ctx, "C0NOPE", slack.MsgOptionText("hi", false))
				return err
			},
		},
		{
			name: "bot not in channel", method: "chat.postMessage", wantErr: "not_in_channel",
			run: func() error {
				_, _, err := api.PostMessageContext(ctx, "C0OUT", slack.MsgOptionText("hi", false))
				return err
			},
		},
		{
			name: "archived channel", method: "chat.postMessage", wantErr: "is_archived",
			run: func() error {
				_, _, err := api.PostMessageContext(ctx, "C0OLD", slack.MsgOptionText("hi", false))
				return err
			},
		},
		{
			name: "injected slack error", method: "conversations.info", wantErr: "missing_scope",
			run: func() error {
				s.InjectFault("conversations.info", 1, slackfake.Fault{SlackError: "missing_scope"})
				_, err := api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: "C0GENERAL"})
				return err
			},
		},
		{
			name: "conversation info and members", method: "conversations.members",
			run: func() error {
				ch, err := api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: "C0OUT"})
				if err != nil {
					return err
				}
				if ch.Name != "outside" || ch.IsMember || !ch.IsChannel {
					t.Errorf("conversations.info = %+v", ch.GroupConversation)
				}
				members, _, err := api.GetUsersInConversationContext(ctx, &slack.GetUsersInConversationParameters{ChannelID: "C0GENERAL"})
				if err != nil || !slices.Equal(members, []string{"U0BOT"}) {
					t.Errorf("members = %v, %v", members, err)
				}
				return nil
			},
		},
		{
			name: "revoked token", method: "auth.test", wantErr: "token_revoked",
			run: func() error {
				_, err := apiClient(s, "xoxb-revoked").AuthTestContext(ctx)
				return err
			},
		},
		{
			name: "user token refused", method: "auth.test", wantErr: "invalid_auth",
			run: func() error {
				_, err := apiClient(s, "xoxp-user").AuthTestContext(ctx)
				return err
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(s.Calls(tt.method))
			err := tt.run()
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if gotErr != tt.wantErr {
				t.Errorf("error = %q, want %q", gotErr, tt.wantErr)
			}
			if got := len(s.Calls(tt.method)); got <= before {
				t.Errorf("no %s call recorded", tt.method)
			}
		})
	}
}

func equalFile(a, b slackfake.File) bool {
	return a.ID == b.ID && a.Name == b.Name && a.Title == b.Title && a.Channel == b.Channel && a.Length == b.Length &&
		string(a.Content) == string(b.Content) && a.Uploaded == b.Uploaded && a.Completed == b.Completed && a.InitialComment == b.InitialComment
}

func TestRateLimits(t *testing.T) {
	s := newServer(t, slackfake.Options{})
	api := apiClient(s, "xoxb-x")
	ctx := testContext(t)

	t.Run("429 fault", func(t *testing.T) {
		s.InjectFault("chat.postMessage", 1, slackfake.Fault{Status: http.StatusTooManyRequests, RetryAfter: 7})
		_, _, err := api.PostMessageContext(ctx, "DU1", slack.MsgOptionText("hi", false))
		rl, ok := errors.AsType[*slack.RateLimitedError](err)
		if !ok || rl.RetryAfter != 7*time.Second {
			t.Fatalf("error = %v, want *slack.RateLimitedError after 7s", err)
		}
		if _, _, err := api.PostMessageContext(ctx, "DU1", slack.MsgOptionText("hi", false)); err != nil {
			t.Errorf("second call: %v, want the fault used up", err)
		}
		if got := s.RateLimited("chat.postMessage"); got != 1 {
			t.Errorf("RateLimited = %d, want 1", got)
		}
	})

	t.Run("500 fault on any method", func(t *testing.T) {
		s.InjectFault("", 1, slackfake.Fault{Status: http.StatusInternalServerError})
		_, err := api.AuthTestContext(ctx)
		sc, ok := errors.AsType[slack.StatusCodeError](err)
		if !ok || sc.Code != http.StatusInternalServerError {
			t.Errorf("error = %v, want StatusCodeError 500", err)
		}
	})

	t.Run("token bucket", func(t *testing.T) {
		s.SetRateLimit(0.5, 2)
		defer s.SetRateLimit(0, 0)
		var limited int
		for range 3 {
			if _, err := api.AuthTestContext(ctx); err != nil {
				if _, ok := errors.AsType[*slack.RateLimitedError](err); !ok {
					t.Fatalf("error = %v, want RateLimitedError", err)
				}
				limited++
			}
		}
		if limited != 1 || s.RateLimited("auth.test") != 1 {
			t.Errorf("limited = %d, RateLimited = %d, want 1 and 1", limited, s.RateLimited("auth.test"))
		}
	})
}

func TestResponseURLAndViews(t *testing.T) {
	s := newServer(t, slackfake.Options{})
	ctx := testContext(t)
	api := apiClient(s, "xoxb-x")
	url1 := s.NewResponseURL()

	if err := slack.PostWebhookContext(ctx, url1, &slack.WebhookMessage{Text: "done", ResponseType: "ephemeral", ReplaceOriginal: true}); err != nil {
		t.Fatalf("PostWebhookContext: %v", err)
	}
	url2 := s.NewResponseURL()
	if _, _, err := api.PostMessageContext(ctx, "", slack.MsgOptionResponseURL(url2, slack.ResponseTypeInChannel), slack.MsgOptionText("shared", false)); err != nil {
		t.Fatalf("post to response_url: %v", err)
	}
	p1, err := s.WaitResponsePost(ctx, func(p slackfake.ResponsePost) bool { return strings.HasSuffix(url1, p.Path) })
	if err != nil {
		t.Fatal(err)
	}
	p2, err := s.WaitResponsePost(ctx, func(p slackfake.ResponsePost) bool { return strings.HasSuffix(url2, p.Path) })
	if err != nil {
		t.Fatal(err)
	}
	got := []any{p1.Text, p1.ResponseType, p1.ReplaceOriginal, p2.Text, p2.ResponseType, p2.ReplaceOriginal}
	want := []any{"done", "ephemeral", true, "shared", "in_channel", false}
	if !slices.Equal(got, want) {
		t.Errorf("response posts: got %v, want %v", got, want)
	}

	// views.open takes the trigger of a slash command the server sent.
	if _, err := s.SendSlashCommand(ctx, slack.SlashCommand{TriggerID: "123.456.abc"}); err != nil {
		t.Fatal(err)
	}
	modal := slack.ModalViewRequest{Type: slack.VTModal, Title: slack.NewTextBlockObject(slack.PlainTextType, "Goal", false, false)}
	tests := []struct {
		name, trigger, wantErr string
	}{
		{"issued trigger", "123.456.abc", ""},
		{"made-up trigger", "999.1.x", "invalid_trigger_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := api.OpenViewContext(ctx, tt.trigger, modal)
			if gotErr := errString(err); gotErr != tt.wantErr {
				t.Errorf("OpenView error = %q, want %q", gotErr, tt.wantErr)
			}
		})
	}

	// Unknown methods are answered and recorded.
	resp, err := http.PostForm(s.APIURL()+"reactions.add", url.Values{"token": {"xoxb-x"}, "name": {"tada"}})
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		OK    bool
		Error string
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	call, err := s.WaitCall(ctx, "reactions.add", nil)
	if err != nil || body.Error != "unknown_method" || call.Params["name"] != "tada" || call.Token != "xoxb-x" || call.SlackError != "unknown_method" {
		t.Errorf("unknown method: body %+v, call %+v, %v", body, call, err)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestVisibleTextAndButtons(t *testing.T) {
	tests := []struct {
		name        string
		text        string
		blocks      string
		wantText    string
		wantButtons []slackfake.Button
	}{
		{name: "text only", text: "hello", wantText: "hello"},
		{
			name: "section fields accessory and context",
			blocks: `[{"type":"header","text":{"type":"plain_text","text":"Weekly tip"}},
			 {"type":"section","block_id":"s1","text":{"type":"mrkdwn","text":"Be *kind*"},"fields":[{"type":"mrkdwn","text":"a"},{"type":"mrkdwn","text":"b"}],
			  "accessory":{"type":"button","action_id":"ok","text":{"type":"plain_text","text":"OK"},"value":"1","confirm":{"title":{"type":"plain_text","text":"Sure?"},"text":{"type":"plain_text","text":"hidden"}}}},
			 {"type":"context","elements":[{"type":"image","image_url":"x","alt_text":"img"},{"type":"mrkdwn","text":"ctx"}]},
			 {"type":"actions","block_id":"a1","elements":[{"type":"button","action_id":"snooze","text":{"type":"plain_text","text":"Snooze"},"value":"7d","style":"danger"},
			   {"type":"static_select","action_id":"sel","placeholder":{"type":"plain_text","text":"Pick"},"options":[{"text":{"type":"plain_text","text":"secret option"},"value":"o"}]}]}]`,
			wantText: "Weekly tip\nBe *kind*\na\nb\nOK\nctx\nSnooze\nPick",
			wantButtons: []slackfake.Button{
				{ActionID: "ok", Text: "OK", Value: "1", BlockID: "s1"},
				{ActionID: "snooze", Text: "Snooze", Value: "7d", Style: "danger", BlockID: "a1"},
			},
		},
		{name: "invalid blocks ignored", text: "t", blocks: `[{`, wantText: "t"},
		{
			name:     "rich text",
			blocks:   `[{"type":"rich_text","elements":[{"type":"rich_text_section","elements":[{"type":"text","text":"one "},{"type":"link","url":"u","text":"two"}]}]}]`,
			wantText: "one \ntwo",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := slackfake.VisibleText(tt.text, json.RawMessage(tt.blocks)); got != tt.wantText {
				t.Errorf("VisibleText = %q, want %q", got, tt.wantText)
			}
			if got := slackfake.Buttons(json.RawMessage(tt.blocks)); !slices.Equal(got, tt.wantButtons) {
				t.Errorf("Buttons = %+v, want %+v", got, tt.wantButtons)
			}
		})
	}
}

// TestConversationsHistoryRange: conversations.history takes the messages
// between oldest and latest, the bounds only with inclusive, so that
// latest=ts, inclusive and limit 1 read the one message ts with its
// metadata.
func TestConversationsHistoryRange(t *testing.T) {
	s := newServer(t, slackfake.Options{})
	api := apiClient(s, "xoxb-x")
	ctx := testContext(t)
	var ts []string
	for i := range 3 {
		meta := slack.SlackMetadata{EventType: "marked", EventPayload: map[string]any{"n": strconv.Itoa(i)}}
		_, at, err := api.PostMessageContext(ctx, "DU1", slack.MsgOptionText("m"+strconv.Itoa(i), false), slack.MsgOptionMetadata(meta))
		if err != nil {
			t.Fatal(err)
		}
		ts = append(ts, at)
	}
	tests := []struct {
		name string
		p    slack.GetConversationHistoryParameters
		want []string // the n of each message, newest first
	}{
		{"no bounds", slack.GetConversationHistoryParameters{}, []string{"2", "1", "0"}},
		{"one message", slack.GetConversationHistoryParameters{Latest: ts[1], Inclusive: true, Limit: 1}, []string{"1"}},
		{"latest excluded", slack.GetConversationHistoryParameters{Latest: ts[1]}, []string{"0"}},
		{"oldest excluded", slack.GetConversationHistoryParameters{Oldest: ts[1]}, []string{"2"}},
		{"both included", slack.GetConversationHistoryParameters{Oldest: ts[0], Latest: ts[1], Inclusive: true}, []string{"1", "0"}},
		{"before any", slack.GetConversationHistoryParameters{Latest: "1.000000"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.p
			p.ChannelID, p.IncludeAllMetadata = "DU1", true
			h, err := api.GetConversationHistoryContext(ctx, &p)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range h.Messages {
				n, _ := m.Metadata.EventPayload["n"].(string)
				got = append(got, n)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("messages %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCloseEndsWaitsAndIsIdempotent(t *testing.T) {
	s, err := slackfake.New(slackfake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := testContext(t)
	waitErr := make(chan error, 1)
	go func() {
		_, err := s.WaitMessage(ctx, func(slackfake.Message) bool { return false })
		waitErr <- err
	}()
	startClient(t, s)
	if err := s.WaitConnected(ctx, 1); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if err := s.Close(); err != nil {
			t.Errorf("Close #%d: %v", i+1, err)
		}
	}
	if err := <-waitErr; !errors.Is(err, slackfake.ErrClosed) {
		t.Errorf("WaitMessage after Close = %v, want ErrClosed", err)
	}
	if _, err := s.SendSlashCommand(ctx, slack.SlashCommand{}); !errors.Is(err, slackfake.ErrClosed) {
		t.Errorf("SendSlashCommand after Close = %v, want ErrClosed", err)
	}
	if got := s.Connections(); got != 0 {
		t.Errorf("Connections after Close = %d, want 0", got)
	}
}

func TestCloseStopsGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	s, err := slackfake.New(slackfake.Options{PingInterval: 10 * time.Millisecond, AckTimeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ctx := testContext(t)
	tr := &http.Transport{}
	api := slack.New("xoxb-x", slack.OptionAppLevelToken("xapp-x"), slack.OptionAPIURL(s.APIURL()), slack.OptionHTTPClient(&http.Client{Transport: tr}))
	_, wsURL, err := api.StartSocketModeContext(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ws, _, err := websocket.DefaultDialer.DialContext(ctx, wsURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if _, hello, err := ws.ReadMessage(); err != nil || !strings.Contains(string(hello), `"type":"hello"`) {
		t.Fatalf("first frame = %s, %v; want hello", hello, err)
	}
	if _, err := s.SendSlashCommand(ctx, slack.SlashCommand{}); err != nil { // left unacked on purpose
		t.Fatal(err)
	}
	s.InjectFault("auth.test", 1, slackfake.Fault{Delay: time.Hour})
	go func() { _, _ = api.AuthTestContext(ctx) }() // blocked in the server when Close runs
	if _, err := s.WaitCall(ctx, "apps.connections.open", nil); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)

	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Errorf("Close: %v", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("Close did not return")
	}
	ws.Close()
	tr.CloseIdleConnections()
	deadline := time.Now().Add(3 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if after := runtime.NumGoroutine(); after > before {
		t.Errorf("goroutines: %d before New, %d after Close", before, after)
	}
}

// TestHoldConnectionsOpen: while held, apps.connections.open gets no answer
// and the client stays disconnected; after release the held call is
// answered and the client connects.
func TestHoldConnectionsOpen(t *testing.T) {
	s := newServer(t, slackfake.Options{})
	ctx := testContext(t)
	c := startClient(t, s)
	if err := s.WaitConnected(ctx, 1); err != nil {
		t.Fatal(err)
	}
	release := s.HoldConnectionsOpen()
	s.DropConnections()
	id, err := s.SendSlashCommand(ctx, slack.SlashCommand{Text: "while held"})
	if err != nil {
		t.Fatal(err)
	}
	// The client is asking (its request has reached the handler) but gets
	// no answer: no call is recorded and nothing connects.
	select {
	case r := <-c.reqs:
		t.Fatalf("envelope %s received while apps.connections.open is held", r.EnvelopeID)
	case <-time.After(300 * time.Millisecond):
	}
	if n := len(s.Calls("apps.connections.open")); n != 1 || s.Hellos() != 1 {
		t.Errorf("%d apps.connections.open answered and %d hellos while held, want 1 and 1", n, s.Hellos())
	}
	release()
	release() // a second release is harmless
	if err := s.WaitConnected(ctx, 2); err != nil {
		t.Fatalf("no connection after release: %v", err)
	}
	req := c.next(t)
	c.ack(t, req, nil)
	if _, err := s.WaitAck(ctx, id); err != nil {
		t.Fatal(err)
	}
}

// TestSubmitView: a modal's submission arrives as the view_submission
// slack-go reads, with the view's id and callback id, the form's state,
// the user and the team, and accepts a response payload.
func TestSubmitView(t *testing.T) {
	s := newServer(t, slackfake.Options{})
	ctx := testContext(t)
	c := startClient(t, s)

	view := json.RawMessage(`{"id": "V1", "type": "modal", "callback_id": "schedule_modal", "blocks": []}`)
	id, err := s.SubmitView(ctx, "U1", view, map[string]map[string]any{
		"time": {"time": map[string]any{"type": "timepicker", "selected_time": "08:45"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	req := c.next(t)
	c.ack(t, req, map[string]any{"response_action": "errors", "errors": map[string]string{"days": "Pick at least one day."}})
	var cb slack.InteractionCallback
	if err := json.Unmarshal(req.Payload, &cb); err != nil {
		t.Fatal(err)
	}
	got := []any{req.EnvelopeID, string(cb.Type), cb.View.ID, cb.View.CallbackID, cb.View.State.Values["time"]["time"].SelectedTime, cb.User.ID, cb.Team.ID}
	want := []any{id, "view_submission", "V1", "schedule_modal", "08:45", "U1", "T0LEAD"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	ack, err := s.WaitAck(ctx, id)
	if err != nil || !strings.Contains(string(ack.Payload), "Pick at least one day.") {
		t.Errorf("ack = %s, %v; want the errors", ack.Payload, err)
	}
	if _, err := s.SubmitView(ctx, "U1", json.RawMessage(`[]`), nil); err == nil {
		t.Error("SubmitView of a view that is not an object: no error")
	}
}
