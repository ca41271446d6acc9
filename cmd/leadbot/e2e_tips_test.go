package main

import (
	"strings"
	"testing"

	"github.com/leadcoach/leadbot/bot/slackfake"
	"github.com/leadcoach/leadbot/prompts"
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
		{"asdf qwerty", []string{"not sure", "/lead-tip topics"}},
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

// TestE2ENotSureTopicsAndVotes follows a question the library cannot
// answer well: the bot says it is not sure and offers the closest topics
// as buttons; pressing one answers with that topic's tip; 👍 on it is
// stored and counted, shows in the export, and is gone after forget.
func TestE2ENotSureTopicsAndVotes(t *testing.T) {
	lib, err := prompts.Load()
	if err != nil {
		t.Fatal(err)
	}
	const question = "zebra quantum banana"
	if a := lib.Answer(question, nil); a.Matched {
		t.Fatalf("the library answers %q with %s: pick a question it is not sure about", question, a.Tip.ID)
	}
	h := startBot(t, nil)
	base := h.opsURL()

	_, resp := h.slash("U0ALICE", question)
	text := slackfake.VisibleText(resp.Text, resp.Blocks)
	if !strings.Contains(text, "not sure") || strings.Contains(text, "Helpful?") || strings.Contains(text, "Try this week") {
		t.Fatalf("a question nothing fits got:\n%s", text)
	}
	buttons := slackfake.Buttons(resp.Blocks)
	if len(buttons) < 2 || len(buttons) > 3 {
		t.Fatalf("%d topic buttons, want 2 or 3: %+v", len(buttons), buttons)
	}
	topic, ok := lib.Topic(buttons[0].Value)
	if !ok || !strings.HasPrefix(buttons[0].ActionID, "tip_topic_") {
		t.Fatalf("first button %+v is not a topic", buttons[0])
	}

	tip := h.click(slackfake.Click{UserID: "U0ALICE", ActionID: buttons[0].ActionID, Blocks: resp.Blocks, ChannelID: "C0GENERAL", Ephemeral: true})
	tipText := slackfake.VisibleText(tip.Text, tip.Blocks)
	if !strings.Contains(tipText, topic.Title+" ·") || !strings.Contains(tipText, "Helpful?") {
		t.Fatalf("the %s button answered:\n%s", topic.ID, tipText)
	}

	voted := h.click(slackfake.Click{UserID: "U0ALICE", ActionID: "tip_up", Blocks: tip.Blocks, ChannelID: "C0GENERAL", Ephemeral: true})
	if !voted.ReplaceOriginal || !strings.Contains(slackfake.VisibleText(voted.Text, voted.Blocks), "glad it helped") {
		t.Errorf("after 👍 the tip reads (replace_original %v):\n%s", voted.ReplaceOriginal, slackfake.VisibleText(voted.Text, voted.Blocks))
	}
	for _, b := range slackfake.Buttons(voted.Blocks) {
		if b.ActionID == "tip_up" || b.ActionID == "tip_down" {
			t.Errorf("the vote buttons are still there after voting")
		}
	}
	m := scrapeUntil(t, base, func(m metricsScrape) bool { return m[`leadbot_tip_votes_total{vote="up"}`] == 1 })
	if m[`leadbot_tip_votes_total{vote="down"}`] != 0 {
		t.Errorf("a 👍 counted as 👎 too: %v", m)
	}

	export := func() string {
		t.Helper()
		before := len(h.fake.Files())
		if got := ask(t, h.fake, "U0ALICE", "export"); !strings.Contains(got, "Sent") {
			t.Fatalf("export answered %q", got)
		}
		files := h.fake.Files()
		if len(files) != before+1 {
			t.Fatalf("%d files after export, want %d", len(files), before+1)
		}
		return string(files[len(files)-1].Content)
	}
	tipID := strings.SplitN(slackfake.Buttons(tip.Blocks)[0].Value, "|", 2)[0]
	if got := export(); !strings.Contains(got, `"tip_id": "`+tipID+`",`+"\n"+`      "helpful": true`) {
		t.Errorf("the export lacks the vote on %s:\n%s", tipID, got)
	}

	_, confirm := h.slash("U0ALICE", "forget")
	h.click(slackfake.Click{UserID: "U0ALICE", ActionID: "forget_confirm", Blocks: confirm.Blocks, ChannelID: "C0GENERAL", Ephemeral: true})
	if got := export(); !strings.Contains(got, `"tip_votes": []`) {
		t.Errorf("after forget the export still holds votes:\n%s", got)
	}
	h.checkLogs()
}
