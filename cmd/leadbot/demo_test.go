package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestDemo plays the whole demo week and checks that the transcript shows
// every part of the product it promises, in order, that the bot logged no
// error while playing it, and that the database it names is there.
func TestDemo(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"leadbot", "demo"}, env(nil), &out, &out); err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	got := out.String()
	flat := strings.Join(strings.Fields(got), " ") // the transcript wraps long lines
	// Each item, in the order the week plays it.
	steps := []struct{ what, want string }{
		{"subscribe", "Maya (DM): /lead-tip start"},
		{"the subscription confirmed", "You're in."},
		{"the first nudge", "Lead Coach (DM to Maya):"},
		{"a nudge's buttons", "[Done] [Not yet] [Skip]"},
		{"a reply in the nudge's thread", "Maya (DM, in the thread): Asked Leo how he was"},
		{"the bot's answer to it", "Thank you for writing it down"},
		{"a button press", "Maya presses [Done]"},
		{"the choice shown instead of the buttons", "shows the choice instead of the buttons: ✅ Done."},
		{"a question", "Maya (DM): /lead-tip my team misses deadlines"},
		{"the tip answering it, only for her", "Lead Coach (to Maya only):"},
		{"the tip's buttons", "[Another tip] [Share in channel]"},
		{"the team channel set up", "Maya (#team): /lead-tip weekly fri 15:00"},
		{"the second nudge, on Wednesday", "── Wednesday 25 November ──"},
		{"Not yet", "Maya presses [Not yet]"},
		{"when it comes back", "I will ask again on Friday"},
		{"the third nudge, on Friday", "── Friday 27 November ──"},
		{"Skip", "Maya presses [Skip]"},
		{"the postponed nudge back", "Back to this one, as you asked."},
		{"the postponed one done", "Maya presses [Done]"},
		{"the weekly team prompt", "Lead Coach (#team):"},
		{"its question", "Question of the week for the team"},
		{"a reply in its thread", "Leo (#team, in the thread):"},
		{"another", "Zoe (#team, in the thread):"},
		{"the Friday digest", "Your week with Lead Coach"},
		{"its counts", "3 challenges, 2 done, 1 skipped"},
		{"its chart", "uploads a chart to the DM"},
		{"weeks played unseen", "3 weeks go by, played but not shown: 10 nudges"},
		{"the look-back", "Looking back"},
		{"her own words back", "Four weeks ago, after “Ask how someone is really doing”, you wrote: > Asked Leo how he was"},
		{"its question", "What has changed since?"},
		{"her answer in its thread", "Maya (DM, in the thread): Both alerts are gone"},
		{"kept with the first", "I have kept this with what you wrote back then"},
		{"where the database is", "database: /"},
	}
	rest := flat
	for _, s := range steps {
		i := strings.Index(rest, s.want)
		if i < 0 {
			if strings.Contains(flat, s.want) {
				t.Errorf("transcript shows %s (%q) out of order", s.what, s.want)
			} else {
				t.Errorf("transcript lacks %s (%q)", s.what, s.want)
			}
			continue
		}
		rest = rest[i+len(s.want):]
	}
	if n := strings.Count(flat, "[Done] [Not yet] [Skip]"); n < 3 {
		t.Errorf("%d nudges in the transcript, want at least three", n)
	}
	for line := range strings.Lines(got) {
		if n := utf8.RuneCountInString(strings.TrimRight(line, "\n")); n > demoWidth && !strings.Contains(line, "leadbot-demo-") {
			t.Errorf("line of %d characters, want at most %d: %q", n, demoWidth, line)
		}
		if strings.Count(line, "`")%2 == 1 {
			t.Errorf("a code span is broken across lines: %q", line)
		}
	}
	// Slack's markup is rendered, not shown.
	for _, raw := range []string{":bulb:", ":white_check_mark:", "*Why:*", "_Transitioning", "&amp;", "&lt;", "&gt;", "<@U"} {
		if strings.Contains(got, raw) {
			t.Errorf("transcript shows Slack markup %q", raw)
		}
	}

	m := regexp.MustCompile(`(?m)^  database: (\S+)$`).FindStringSubmatch(got)
	if m == nil {
		t.Fatal("no database path")
	}
	dir := filepath.Dir(m[1])
	t.Cleanup(func() { os.RemoveAll(dir) })
	if _, err := os.Stat(m[1]); err != nil {
		t.Errorf("the database the demo names: %v", err)
	}
	logs, err := os.ReadFile(filepath.Join(dir, "leadbot.log"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, filepath.Join(dir, "leadbot.log")) {
		t.Error("the transcript does not say where the bot's log is")
	}
	if strings.Contains(string(logs), "level=ERROR") || strings.Contains(string(logs), "level=WARN") {
		t.Errorf("the bot logged a problem during the demo:\n%s", logs)
	}
	for _, msg := range []string{"nudge sent", "reply recorded", "nudge answered", "weekly prompt posted", "team reply recorded", "digest sent", "look-back sent"} {
		if !strings.Contains(string(logs), msg) {
			t.Errorf("the bot's log lacks %q: that part did not go through the bot", msg)
		}
	}
}

func TestPlainText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"*Why:* it matters · from _Some Article_", "Why: it matters · from “Some Article”"},
		{":white_check_mark: *Done.* Well done", "✅ Done. Well done"},
		{":unknown_emoji: stays", ":unknown_emoji: stays"},
		{"Shared by <@U0MAYA> in <#C0TEAM|team>", "Shared by @Maya in #team"},
		{"see <https://example.com/a|the article>", "see the article"},
		{"a &lt;b&gt; &amp; c", "a <b> & c"},
		{"`/lead-tip weekly_now` and snake_case_word", "`/lead-tip weekly_now` and snake_case_word"},
		{"2 * 3 * 4", "2 * 3 * 4"},
	}
	for _, tt := range tests {
		if got := plainText(tt.in); got != tt.want {
			t.Errorf("plainText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
