package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/leadcoach/leadbot/bot/slackfake"
)

// Tokens the end-to-end tests run with. They must never show up in logs.
const (
	testAppToken = "xapp-1-A0LEAD-TESTAPPSECRET"
	testBotToken = "xoxb-0000-TESTBOTSECRET"
)

// syncBuffer is the simulated world's buffer, safe for the program's
// goroutines and the test reading it.
type syncBuffer = slackfake.Buffer

// harness is the real bot (run, as main calls it) connected to a fake Slack
// over loopback, with a database in a temporary directory.
type harness struct {
	t      *testing.T
	fake   *slackfake.Server
	dbPath string
	env    map[string]string
	logs   *syncBuffer
	cancel context.CancelFunc
	done   chan error
}

// startBot starts a fake Slack and the bot against it, and waits until the
// bot is connected. extra environment variables override the defaults.
func startBot(t *testing.T, extra map[string]string) *harness {
	t.Helper()
	fake, err := slackfake.New(slackfake.Options{PingInterval: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fake.Close() })
	h := &harness{t: t, fake: fake, dbPath: filepath.Join(t.TempDir(), "leadbot.db")}
	h.env = map[string]string{
		"SLACK_APP_TOKEN":   testAppToken,
		"SLACK_BOT_TOKEN":   testBotToken,
		"SLACK_API_URL":     fake.APIURL(),
		"LEADBOT_DB":        h.dbPath,
		"LEADBOT_LOG_LEVEL": "debug",
		"LEADBOT_ADDR":      "127.0.0.1:0", // a free port: see harness.opsURL
	}
	for k, v := range extra {
		h.env[k] = v
	}
	h.start()
	return h
}

// start runs the bot (again) with h's environment and waits for it to
// connect.
func (h *harness) start() {
	h.t.Helper()
	before := h.fake.Hellos()
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	h.done = make(chan error, 1)
	if h.logs == nil {
		h.logs = &syncBuffer{}
	}
	go func() { h.done <- run(ctx, []string{"leadbot"}, env(h.env), h.logs, h.logs) }()
	h.t.Cleanup(func() { h.stop() })
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer wcancel()
	if err := h.fake.WaitConnected(wctx, before+1); err != nil {
		h.t.Fatalf("bot did not connect: %v\nlogs:\n%s", err, h.logs)
	}
}

// stop shuts the bot down as SIGTERM would and returns run's error. It is
// safe to call more than once.
func (h *harness) stop() error {
	if h.cancel == nil {
		return nil
	}
	h.cancel()
	h.cancel = nil
	select {
	case err := <-h.done:
		return err
	case <-time.After(20 * time.Second):
		h.t.Error("bot did not stop within 20 s")
		return nil
	}
}

func (h *harness) ctx() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	h.t.Cleanup(cancel)
	return ctx
}

// slash sends "/lead-tip text" as user and returns the envelope id and the
// reply posted to the command's response_url.
func (h *harness) slash(user, text string) (slackfake.Ack, slackfake.ResponsePost) {
	h.t.Helper()
	ctx := h.ctx()
	url := h.fake.NewResponseURL()
	id, err := h.fake.SendSlashCommand(ctx, slack.SlashCommand{UserID: user, Text: text, ResponseURL: url})
	if err != nil {
		h.t.Fatal(err)
	}
	ack, err := h.fake.WaitAck(ctx, id)
	if err != nil {
		h.t.Fatalf("no ack for /lead-tip %s: %v\nlogs:\n%s", text, err, h.logs)
	}
	path := strings.TrimPrefix(url, h.fake.URL())
	resp, err := h.fake.WaitResponsePost(ctx, func(p slackfake.ResponsePost) bool { return p.Path == path })
	if err != nil {
		h.t.Fatalf("no reply to /lead-tip %s: %v\nlogs:\n%s", text, err, h.logs)
	}
	return ack, resp
}

// checkLogs fails the test if the logs hold a token.
func (h *harness) checkLogs() {
	h.t.Helper()
	logs := h.logs.String()
	for _, secret := range []string{testAppToken, testBotToken, "TESTAPPSECRET", "TESTBOTSECRET"} {
		if strings.Contains(logs, secret) {
			h.t.Errorf("logs contain a token")
		}
	}
}

func slackCommand(user, text, responseURL string) slack.SlashCommand {
	return slack.SlashCommand{UserID: user, Text: text, ResponseURL: responseURL}
}

// click presses a button, waits for the ack, and returns the first post the
// bot makes to the interaction's response_url.
func (h *harness) click(c slackfake.Click) slackfake.ResponsePost {
	h.t.Helper()
	ctx := h.ctx()
	before := len(h.fake.ResponsePosts())
	id, err := h.fake.ClickButton(ctx, c)
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.fake.WaitAck(ctx, id); err != nil {
		h.t.Fatalf("click %s not acknowledged: %v", c.ActionID, err)
	}
	n := 0
	resp, err := h.fake.WaitResponsePost(ctx, func(slackfake.ResponsePost) bool {
		n++
		return n > before
	})
	if err != nil {
		h.t.Fatalf("no answer to click %s: %v\nlogs:\n%s", c.ActionID, err, h.logs)
	}
	return resp
}
