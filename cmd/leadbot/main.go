// Command leadbot runs Lead Coach, a Slack bot that coaches people who have
// just moved from a technical role into management. Run "leadbot --help"
// for its subcommands and environment variables.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // users' timezones must load in a distroless image with no zoneinfo
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args, os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}
