package main

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestDemo plays the whole demo week and checks the transcript shows every
// part of the product it promises.
func TestDemo(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"leadbot", "demo"}, env(nil), &out, &out); err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{
		"Maya (DM): /lead-tip start",          // subscribe
		"[Done] [Not yet] [Skip]",             // a nudge with its buttons
		"Maya (DM, in the thread):",           // a reply
		"Thank you for writing it down",       // the bot's answer
		"presses [Done]", "presses [Not yet]", // button presses
		"updates the nudge",                  // the message shows the choice
		"Back to this one",                   // Not yet asks again
		"/lead-tip my team misses deadlines", // a question
		"[Another tip] [Share in channel]",   // the tip's buttons
		"Maya (#team): /lead-tip weekly",     // team channel set-up
		"everyone in #team",                  // the weekly prompt
		"Leo (#team, in the thread):",        // team replies
		"Your week with Lead Coach",          // the Friday digest
		"uploads lead-coach-weekly.png",      // its chart
		"stored in",                          // where the database is
	} {
		if !strings.Contains(got, want) {
			t.Errorf("transcript lacks %q", want)
		}
	}
	if n := strings.Count(got, "[Done] [Not yet] [Skip]"); n < 3 {
		t.Errorf("%d nudges in the transcript, want at least three", n)
	}
	m := regexp.MustCompile(`stored in (\S+)`).FindStringSubmatch(got)
	if m == nil {
		t.Fatal("no database path")
	}
	if _, err := os.Stat(m[1]); err != nil {
		t.Errorf("the database the demo names: %v", err)
	}
	os.RemoveAll(strings.TrimSuffix(m[1], "/leadbot.db"))
}
