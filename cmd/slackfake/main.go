// Command slackfake runs the fake Slack for trying the bot by hand.
//
// It prints SLACK_API_URL=… ; run the bot against it in another terminal:
//
//	SLACK_APP_TOKEN=xapp-dev SLACK_BOT_TOKEN=xoxb-dev SLACK_API_URL=… go run ./cmd/leadbot
//
// Then type what a user would do: slash commands ("/lead-tip delegation"),
// the same in another channel ("in #team /lead-tip weekly fri 15:00"),
// "click <action_id>", "reply <text>" in a message's thread, "submit" a
// form the bot opened, "file" to show a file it uploaded, "home", "dm
// <text>" or "help". Everything the bot posts is printed as it arrives.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"

	"github.com/leadcoach/leadbot/bot/slackfake"
)

// usage is printed by "slackfake -h", before the flags and help.
const usage = `slackfake: a fake Slack on this machine, to try leadbot without a workspace.

Usage:
  slackfake [flags]

It prints SLACK_API_URL=http://127.0.0.1:PORT/api/ on its first line; start
the bot against it in another terminal, then type commands here as the
user would. Every message, reply and view the bot sends is printed.

Flags:
`

// help lists the console's commands; "help" and "slackfake -h" print it.
const help = `commands:
  /lead-tip [text]             send a slash command in #general (any /command works)
  in #channel /lead-tip [text] send it in another channel (made on first use,
                               with you and the bot as members)
  click <action_id>            click the latest button with that action_id
  reply [ts] <text>            reply in the thread of the bot's message at ts
                               (default: its latest message)
  submit [words]               submit the latest form the bot opened: words fill
                               it, e.g. "submit mon,thu 08:45" ticks Monday and
                               Thursday and sets the time; other words go to a
                               text field
  file [id]                    show the latest file the bot uploaded (or file id)
  home                         open the App Home tab
  dm <text>                    send the bot a direct message
  help                         show this`

// usageError is a mistake on the command line; it exits with status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() + " (see slackfake -h)" }
func (e usageError) Unwrap() error { return e.err }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	var ue usageError
	switch {
	case err == nil, errors.Is(err, context.Canceled):
	case errors.As(err, &ue):
		fmt.Fprintln(os.Stderr, "slackfake:", err)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "slackfake:", err)
		os.Exit(1)
	}
}

// run serves the fake Slack until stdin ends or ctx is done. With -h it
// prints the usage on stdout and returns nil.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("slackfake", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	user := fs.String("user", "U0DEV", "user id that types the commands")
	tz := fs.String("tz", "Europe/Berlin", "that user's IANA time zone")
	verbose := fs.Bool("v", false, "log the fake's debug lines")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			fmt.Fprintf(stdout, "\n%s\n", help)
			return nil
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}

	out := &console{w: stdout}
	opts := slackfake.Options{Addr: *addr, Scopes: slackfake.LeadbotScopes}
	if *verbose {
		opts.Logf = func(format string, a ...any) { fmt.Fprintf(stderr, format+"\n", a...) }
	}
	s, err := slackfake.New(opts)
	if err != nil {
		return err
	}
	defer s.Close()
	s.AddUser(slackfake.User{ID: *user, Name: "dev", TZ: *tz})
	s.AddChannel(slackfake.Channel{ID: slackfake.DefaultChannelID, Name: "general", Members: []string{*user}, BotIsMember: true})

	out.printf("SLACK_API_URL=%s\n", s.APIURL())
	fmt.Fprintf(stderr, "in another terminal:\n  SLACK_APP_TOKEN=xapp-dev SLACK_BOT_TOKEN=xoxb-dev SLACK_API_URL=%s go run ./cmd/leadbot\n%s\n", s.APIURL(), help)

	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	w := newWatcher(s, out, *user)
	wg.Go(func() { w.watch(ctx) })

	// Reading stdin cannot be interrupted; this goroutine ends with stdin.
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdin)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case line, ok := <-lines:
			if !ok {
				return nil
			}
			w.handle(ctx, &wg, strings.TrimSpace(line))
		}
	}
}

// console serializes writes from several goroutines.
type console struct {
	mu sync.Mutex
	w  io.Writer
}

func (c *console) printf(format string, a ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintf(c.w, format, a...)
}
