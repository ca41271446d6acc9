package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestRunSmoke runs the whole tool briefly: it builds and starts the real
// bot, seeds users, sends a few commands and reports. Nothing here is
// timed: the report's figures are not checked, only that every command was
// acknowledged and answered.
func TestRunSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the leadbot binary")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	err := run(ctx, []string{"-rate", "20", "-duration", "500ms", "-users", "5"}, &stdout, &stderr)
	out := stdout.String()
	if err != nil && !strings.Contains(err.Error(), "targets missed") {
		t.Fatalf("run: %v\n%s%s", err, out, stderr.String())
	}
	for _, want := range []string{
		"10 /lead-tip commands at 20/s",
		"(10 acks)",
		"(10 answers)",
		"errors                 0 ",
		`leadbot_envelopes_acked_total{type="slash_commands"} 10`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}
