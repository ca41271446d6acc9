package main

import (
	"strings"
	"testing"

	"github.com/leadcoach/leadbot/bot/slackfake"
)

// TestE2ETipCommands covers what a new user tries first: a topic, a
// question, the topic list and help, each answered ephemerally.
func TestE2ETipCommands(t *testing.T) {
	h := startBot(t, nil)
	tests := []struct {
		text string
		want []string
	}{
		{"delegation", []string{"Delegation ·", "Another tip", "Share in channel"}},
		{"two of my engineers argue in every review", []string{"Conflict ·", "Another tip"}},
		{"how do I explain tech debt to my VP", []string{"Communication ·"}},
		{"topics", []string{"delegation", "letting-go", "technical-balance", "Career"}},
		{"help", []string{"/lead-tip topics", "/lead-tip delegation"}},
		{"???", []string{"did not quite get that", "/lead-tip topics"}},
		{"asdf qwerty", []string{"could not find a tip that fits", "topics"}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			_, resp := h.slash("U0ALICE", tt.text)
			if resp.ResponseType != "ephemeral" {
				t.Errorf("response_type = %q, want ephemeral", resp.ResponseType)
			}
			text := slackfake.VisibleText(resp.Text, resp.Blocks)
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("reply lacks %q:\n%s", w, text)
				}
			}
		})
	}
}

// A bare /lead-tip gives a tip the user has not seen yet.
func TestE2EFreshTips(t *testing.T) {
	h := startBot(t, nil)
	seen := map[string]bool{}
	for i := 0; i < 5; i++ {
		_, resp := h.slash("U0FRESH", "")
		text := slackfake.VisibleText(resp.Text, resp.Blocks)
		if seen[text] {
			t.Fatalf("tip %d repeats an earlier one:\n%s", i+1, text)
		}
		seen[text] = true
	}
}

// The "Another tip" button answers with a different tip of the same topic;
// "Share in channel" posts the tip visibly, saying who shared it.
func TestE2ETipButtons(t *testing.T) {
	h := startBot(t, nil)
	_, first := h.slash("U0ALICE", "micromanagement")
	firstText := slackfake.VisibleText(first.Text, first.Blocks)

	another := h.click(slackfake.Click{UserID: "U0ALICE", ActionID: "tip_another", Blocks: first.Blocks, ChannelID: "C0GENERAL", Ephemeral: true})
	anotherText := slackfake.VisibleText(another.Text, another.Blocks)
	if anotherText == firstText || !strings.Contains(anotherText, "Micromanagement ·") {
		t.Errorf("Another tip gave:\n%s\nafter:\n%s", anotherText, firstText)
	}

	shared := h.click(slackfake.Click{UserID: "U0ALICE", ActionID: "tip_share", Blocks: another.Blocks, ChannelID: "C0GENERAL", Ephemeral: true})
	sharedText := slackfake.VisibleText(shared.Text, shared.Blocks)
	if shared.ResponseType != "in_channel" {
		t.Errorf("shared tip response_type = %q, want in_channel", shared.ResponseType)
	}
	if !strings.Contains(sharedText, "Shared by <@U0ALICE>") {
		t.Errorf("shared tip does not say who shared it:\n%s", sharedText)
	}
	// The shared tip is the one on screen, without buttons for others to press.
	if len(slackfake.Buttons(shared.Blocks)) != 0 {
		t.Error("shared tip has buttons")
	}
	tipLine := strings.SplitN(anotherText, "\n", 2)[0]
	if !strings.Contains(sharedText, tipLine) {
		t.Errorf("shared tip differs from the one on screen:\n%s\nvs\n%s", sharedText, anotherText)
	}
}
