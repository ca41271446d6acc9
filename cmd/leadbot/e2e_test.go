package main

import (
	"strings"
	"testing"
	"time"

	"github.com/leadcoach/leadbot/bot/slackfake"
)

// TestE2ELeadTip runs the real bot against the fake Slack: a /lead-tip
// slash command is acknowledged, and the asker gets an ephemeral tip.
func TestE2ELeadTip(t *testing.T) {
	h := startBot(t, nil)
	ack, resp := h.slash("U0ALICE", "delegation")
	if ack.Latency <= 0 || ack.Latency > 3*time.Second {
		t.Errorf("ack latency %v, want within Slack's 3 s", ack.Latency)
	}
	if resp.ResponseType != "ephemeral" {
		t.Errorf("response_type = %q, want ephemeral", resp.ResponseType)
	}
	text := slackfake.VisibleText(resp.Text, resp.Blocks)
	if !strings.Contains(text, "Delegation") || len(text) < 80 {
		t.Errorf("reply does not look like a delegation tip:\n%s", text)
	}
	if err := h.stop(); err != nil {
		t.Errorf("run returned %v after shutdown, want nil", err)
	}
	if !strings.Contains(h.logs.String(), "connected") {
		t.Error(`logs lack "connected"`)
	}
	h.checkLogs()
}

// TestE2EReconnect forces a disconnect (as Slack does when it refreshes a
// connection) and an abrupt TCP drop; the bot reconnects and still answers.
func TestE2EReconnect(t *testing.T) {
	h := startBot(t, nil)
	tests := []struct {
		name string
		cut  func()
	}{
		{"refresh_requested", func() { h.fake.Disconnect("refresh_requested") }},
		{"tcp drop", func() { h.fake.DropConnections() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := h.fake.Hellos()
			tt.cut()
			if err := h.fake.WaitConnected(h.ctx(), before+1); err != nil {
				t.Fatalf("bot did not reconnect: %v", err)
			}
			_, resp := h.slash("U0BOB", "feedback")
			if text := slackfake.VisibleText(resp.Text, resp.Blocks); !strings.Contains(text, "Feedback") {
				t.Errorf("reply after reconnect:\n%s", text)
			}
		})
	}
	h.checkLogs()
}

// An envelope sent while the bot is disconnected is delivered once it is
// back, and answered.
func TestE2EEnvelopeDuringDisconnect(t *testing.T) {
	h := startBot(t, nil)
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	url := h.fake.NewResponseURL()
	id, err := h.fake.SendSlashCommand(h.ctx(), slackCommand("U0CAROL", "help", url))
	if err != nil {
		t.Fatal(err)
	}
	h.start()
	if _, err := h.fake.WaitAck(h.ctx(), id); err != nil {
		t.Fatalf("queued envelope not acknowledged after restart: %v", err)
	}
	resp, err := h.fake.WaitResponsePost(h.ctx(), func(p slackfake.ResponsePost) bool { return strings.HasSuffix(url, p.Path) })
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(slackfake.VisibleText(resp.Text, resp.Blocks), "/lead-tip topics") {
		t.Errorf("help reply:\n%s", slackfake.VisibleText(resp.Text, resp.Blocks))
	}
}

// Unknown envelope types and events the bot does not use are acknowledged
// and ignored; the bot keeps answering.
func TestE2EUnknownEnvelopes(t *testing.T) {
	h := startBot(t, nil)
	ctx := h.ctx()
	unknownType, err := h.fake.SendEnvelope(ctx, "something_new", map[string]any{"x": 1}, false)
	if err != nil {
		t.Fatal(err)
	}
	unknownEvent, _, err := h.fake.SendEvent(ctx, map[string]any{"type": "reaction_added", "user": "U0DAN", "reaction": "tada"})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{unknownType, unknownEvent} {
		if _, err := h.fake.WaitAck(ctx, id); err != nil {
			t.Errorf("envelope %s not acknowledged: %v", id, err)
		}
	}
	if _, resp := h.slash("U0DAN", "topics"); !strings.Contains(slackfake.VisibleText(resp.Text, resp.Blocks), "technical-balance") {
		t.Error("topics reply lacks technical-balance")
	}
}
