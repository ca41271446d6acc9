package main

import (
	"context"
	"io"
	"log"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/leadcoach/leadbot/bot/slackfake"
)

// syncBuffer is the simulated world's buffer, safe for the program's
// goroutines and the test reading it.
type syncBuffer = slackfake.Buffer

// waitOutput waits until out contains want.
func waitOutput(t *testing.T, out *syncBuffer, want string) string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if s := out.String(); strings.Contains(s, want) {
			return s
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("output never contained %q; got:\n%s", want, out.String())
	return ""
}

// runBot is a tiny stand-in for leadbot: it acks every envelope, answers a
// slash command with an ephemeral message holding a button, and reports
// clicked action ids.
func runBot(ctx context.Context, apiURL string, clicked chan<- string) error {
	api := slack.New("xoxb-dev", slack.OptionAppLevelToken("xapp-dev"), slack.OptionAPIURL(apiURL))
	sm := socketmode.New(api, socketmode.OptionLog(log.New(io.Discard, "", 0)))
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case evt := <-sm.Events:
				if evt.Request == nil || evt.Request.EnvelopeID == "" {
					continue
				}
				switch data := evt.Data.(type) {
				case slack.SlashCommand:
					_ = sm.Ack(*evt.Request, map[string]string{"text": "thinking…"})
					btn := slack.NewButtonBlockElement("another", "x", slack.NewTextBlockObject(slack.PlainTextType, "Another tip", false, false))
					_, _ = api.PostEphemeralContext(ctx, data.ChannelID, data.UserID,
						slack.MsgOptionText("Tip: listen first", false),
						slack.MsgOptionBlocks(
							slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "Tip: listen first", false, false), nil, nil),
							slack.NewActionBlock("tip", btn)))
				case slack.InteractionCallback:
					_ = sm.Ack(*evt.Request)
					clicked <- data.ActionCallback.BlockActions[0].ActionID
				default:
					_ = sm.Ack(*evt.Request)
				}
			}
		}
	}()
	return sm.RunContext(ctx)
}

func TestRun(t *testing.T) {
	stdinR, stdinW := io.Pipe()
	var stdout, stderr syncBuffer
	runErr := make(chan error, 1)
	go func() { runErr <- run(t.Context(), []string{"-user", "U0DEV"}, stdinR, &stdout, &stderr) }()

	first := waitOutput(t, &stdout, "\n")
	apiURL, ok := strings.CutPrefix(strings.TrimSpace(first), "SLACK_API_URL=")
	if !ok || !strings.HasSuffix(apiURL, "/api/") {
		t.Fatalf("first line = %q, want SLACK_API_URL=…/api/", first)
	}

	ctx, cancel := context.WithCancel(t.Context())
	clicked := make(chan string, 1)
	botDone := make(chan struct{})
	go func() {
		defer close(botDone)
		_ = runBot(ctx, apiURL, clicked)
	}()
	defer func() {
		cancel()
		<-botDone
	}()
	waitOutput(t, &stdout, "bot connected")

	steps := []struct {
		input string
		want  []string
	}{
		{"/lead-tip feedback", []string{"ack after", "thinking…", "[ephemeral C0GENERAL for U0DEV]", "Tip: listen first", "[Another tip]  → click another"}},
		{"click nope", []string{`no button "nope" seen yet`}},
	}
	for _, st := range steps {
		if _, err := io.WriteString(stdinW, st.input+"\n"); err != nil {
			t.Fatal(err)
		}
		for _, w := range st.want {
			waitOutput(t, &stdout, w)
		}
	}

	if _, err := io.WriteString(stdinW, "click another\n"); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-clicked:
		if got != "another" {
			t.Errorf("clicked %q, want %q", got, "another")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the bot never got the click")
	}

	stdinW.Close()
	select {
	case err := <-runErr:
		if err != nil {
			t.Errorf("run = %v, want nil at end of input", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("run did not return at end of input")
	}
}
