// Command leadload measures the real leadbot binary under load. It starts
// the fake Slack (bot/slackfake) in this process, builds leadbot and runs
// it as a subprocess against the fake over loopback, optionally with a
// database of subscribed users, then sends "/lead-tip <question>" slash
// commands at a steady rate and reports:
//
//   - start-up time, from process start to the fake's hello (connected);
//   - acknowledgement latency (the fake's Ack.Latency: envelope written to
//     the socket until the ack is read), p50, p99 and max;
//   - tip latency, from sending the command to the answer posted to its
//     response_url, p50, p99 and max;
//   - the bot's peak resident memory (VmHWM from /proc/PID/status);
//   - errors: commands never acknowledged or answered, redeliveries, and
//     the bot's own error logs and handler errors (from its /metrics).
//
// Run it from the repository:
//
//	go run ./cmd/leadload -rate 200 -duration 30s -users 10000
//
// It exits with status 1 if a command was lost or a target was missed.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "leadload:", err)
		os.Exit(1)
	}
}
