package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
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

// runBot is a tiny stand-in for leadbot. It acks every envelope and
// answers a slash command by its text: "post" posts a message in the
// channel, "form" opens a modal (days and a time), "file" uploads a file
// to the user's DM, anything else gets an ephemeral message holding a
// button. It reports on seen what reaches it: clicked action ids, thread
// replies, and the forms submitted (refusing one without a time).
func runBot(ctx context.Context, apiURL string, seen chan<- string) error {
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
					stubCommand(ctx, api, data)
				case slack.InteractionCallback:
					if data.Type == slack.InteractionTypeViewSubmission {
						_ = sm.Ack(*evt.Request, stubSubmitted(data, seen))
						continue
					}
					_ = sm.Ack(*evt.Request)
					seen <- "clicked " + data.ActionCallback.BlockActions[0].ActionID
				case slackevents.EventsAPIEvent:
					_ = sm.Ack(*evt.Request)
					if m, ok := data.InnerEvent.Data.(*slackevents.MessageEvent); ok && m.ThreadTimeStamp != "" {
						seen <- fmt.Sprintf("reply %q in %s (%s) thread %s", m.Text, m.Channel, m.ChannelType, m.ThreadTimeStamp)
					}
				default:
					_ = sm.Ack(*evt.Request)
				}
			}
		}
	}()
	return sm.RunContext(ctx)
}

func stubCommand(ctx context.Context, api *slack.Client, c slack.SlashCommand) {
	switch c.Text {
	case "post":
		_, _, _ = api.PostMessageContext(ctx, c.ChannelID, slack.MsgOptionText("Question of the week", false))
	case "form":
		days := slack.NewCheckboxGroupsBlockElement("days",
			slack.NewOptionBlockObject("1", slack.NewTextBlockObject(slack.PlainTextType, "Monday", false, false), nil),
			slack.NewOptionBlockObject("4", slack.NewTextBlockObject(slack.PlainTextType, "Thursday", false, false), nil))
		note := slack.NewPlainTextInputBlockElement(nil, "note")
		_, _ = api.OpenViewContext(ctx, c.TriggerID, slack.ModalViewRequest{
			Type: slack.VTModal, CallbackID: "schedule_modal",
			Title:  slack.NewTextBlockObject(slack.PlainTextType, "Your schedule", false, false),
			Submit: slack.NewTextBlockObject(slack.PlainTextType, "Save", false, false),
			Blocks: slack.Blocks{BlockSet: []slack.Block{
				slack.NewInputBlock("days", slack.NewTextBlockObject(slack.PlainTextType, "Days", false, false), nil, days),
				slack.NewInputBlock("time", slack.NewTextBlockObject(slack.PlainTextType, "Time", false, false), nil, slack.NewTimePickerBlockElement("time")),
				slack.NewInputBlock("note", slack.NewTextBlockObject(slack.PlainTextType, "Note", false, false), nil, note),
			}},
		})
	case "file":
		body := `{"hello":"world"}`
		_, _ = api.UploadFileContext(ctx, slack.UploadFileParameters{Reader: strings.NewReader(body), FileSize: len(body),
			Filename: "export.json", Title: "Your export", Channel: "D" + c.UserID, InitialComment: "Here it is."})
	default:
		btn := slack.NewButtonBlockElement("another", "x", slack.NewTextBlockObject(slack.PlainTextType, "Another tip", false, false))
		_, _ = api.PostEphemeralContext(ctx, c.ChannelID, c.UserID,
			slack.MsgOptionText("Tip: listen first", false),
			slack.MsgOptionBlocks(
				slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "Tip: listen first", false, false), nil, nil),
				slack.NewActionBlock("tip", btn)))
	}
}

// stubSubmitted reports a submitted form on seen and returns the ack's
// payload: errors when it has no time, as a bot validating it would.
func stubSubmitted(cb slack.InteractionCallback, seen chan<- string) any {
	v := cb.View.State.Values
	var days []string
	for _, o := range v["days"]["days"].SelectedOptions {
		days = append(days, o.Value)
	}
	at := v["time"]["time"].SelectedTime
	if at == "" {
		return slack.ViewSubmissionResponse{ResponseAction: slack.RAErrors, Errors: map[string]string{"time": "Pick a time."}}
	}
	seen <- fmt.Sprintf("submitted %s: days %s at %s, note %q", cb.View.CallbackID, strings.Join(days, ","), at, v["note"]["note"].Value)
	return nil
}

// consoleRun is the slackfake console under test, with a stand-in bot
// connected to it.
type consoleRun struct {
	stdin  *io.PipeWriter
	stdout *syncBuffer
	seen   chan string
	done   chan error
}

func startConsole(t *testing.T) *consoleRun {
	t.Helper()
	stdinR, stdinW := io.Pipe()
	c := &consoleRun{stdin: stdinW, stdout: &syncBuffer{}, seen: make(chan string, 10), done: make(chan error, 1)}
	var stderr syncBuffer
	go func() { c.done <- run(t.Context(), []string{"-user", "U0DEV"}, stdinR, c.stdout, &stderr) }()

	first := waitOutput(t, c.stdout, "\n")
	apiURL, ok := strings.CutPrefix(strings.TrimSpace(first), "SLACK_API_URL=")
	if !ok || !strings.HasSuffix(apiURL, "/api/") {
		t.Fatalf("first line = %q, want SLACK_API_URL=…/api/", first)
	}
	ctx, cancel := context.WithCancel(t.Context())
	botDone := make(chan struct{})
	go func() {
		defer close(botDone)
		_ = runBot(ctx, apiURL, c.seen)
	}()
	t.Cleanup(func() {
		cancel()
		<-botDone
	})
	waitOutput(t, c.stdout, "bot connected")
	return c
}

// typeLine types line on the console and waits until its output holds
// every one of want.
func (c *consoleRun) typeLine(t *testing.T, line string, want ...string) {
	t.Helper()
	if _, err := io.WriteString(c.stdin, line+"\n"); err != nil {
		t.Fatal(err)
	}
	for _, w := range want {
		waitOutput(t, c.stdout, w)
	}
}

// botSaw waits for the stand-in bot to report want.
func (c *consoleRun) botSaw(t *testing.T, want string) {
	t.Helper()
	select {
	case got := <-c.seen:
		if got != want {
			t.Errorf("the bot saw %s, want %s", got, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("the bot never saw %s", want)
	}
}

// end closes stdin and checks that run returns nil.
func (c *consoleRun) end(t *testing.T) {
	t.Helper()
	c.stdin.Close()
	select {
	case err := <-c.done:
		if err != nil {
			t.Errorf("run = %v, want nil at end of input", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("run did not return at end of input")
	}
}

func TestRun(t *testing.T) {
	c := startConsole(t)
	c.typeLine(t, "/lead-tip feedback", "ack after", "thinking…", "[ephemeral C0GENERAL for U0DEV]", "Tip: listen first", "[Another tip]  → click another")
	c.typeLine(t, "click nope", `no button "nope" seen yet`)
	c.typeLine(t, "click another")
	c.botSaw(t, "clicked another")
	c.end(t)
}

// TestConsoleCommands: a command in another channel, a reply in a
// message's thread, a form filled in and submitted (refused, then
// accepted), and a file shown.
func TestConsoleCommands(t *testing.T) {
	c := startConsole(t)

	c.typeLine(t, "in #team /lead-tip post", "[message C0TEAM ")
	ts := regexp.MustCompile(`\[message C0TEAM (\d+\.\d+)\]`).FindStringSubmatch(c.stdout.String())
	if ts == nil {
		t.Fatalf("no ts shown for the message:\n%s", c.stdout)
	}
	c.typeLine(t, "reply great question", "· replied in the thread of "+ts[1]+" in C0TEAM")
	c.botSaw(t, `reply "great question" in C0TEAM (channel) thread `+ts[1])
	c.typeLine(t, "reply "+ts[1]+" and another thought")
	c.botSaw(t, `reply "and another thought" in C0TEAM (channel) thread `+ts[1])
	c.typeLine(t, "in #team /lead-tip anything", "[ephemeral C0TEAM for U0DEV]")
	c.typeLine(t, "in #team-leads /lead-tip anything", "[ephemeral C0TEAMLEADS for U0DEV]")
	c.typeLine(t, "in team", "! usage: in #channel /lead-tip [text]")

	c.typeLine(t, "submit mon 08:45", "! no form opened yet")
	c.typeLine(t, "/lead-tip form", "[views.open  → submit [words]]", "Monday", "Thursday")
	c.typeLine(t, "submit mon,thu", "[form not accepted]", "time: Pick a time.")
	c.typeLine(t, "submit Mon,Thu 8:45 call me")
	c.botSaw(t, `submitted schedule_modal: days 1,4 at 08:45, note "call me"`)

	c.typeLine(t, "file", "! no file uploaded yet")
	c.typeLine(t, "/lead-tip file", "[file F", "in DU0DEV: export.json, 17 bytes]  → file F", "Here it is.")
	c.typeLine(t, "file", `{"hello":"world"}`)
	c.typeLine(t, "file F000", "! no file F000")
	c.end(t)
}

// TestHelpFlag: -h prints the usage, the flags and the console's commands
// on stdout and succeeds; an unknown flag is a usage error.
func TestHelpFlag(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := run(t.Context(), []string{"-h"}, strings.NewReader(""), &stdout, &stderr); err != nil {
		t.Fatalf("run -h = %v, want nil", err)
	}
	for _, want := range []string{"Usage:", "-addr", "-tz", "in #channel", "reply [ts] <text>", "submit [words]", "file [id]"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("-h output lacks %q:\n%s", want, stdout.String())
		}
	}
	err := run(t.Context(), []string{"-nope"}, strings.NewReader(""), &stdout, &stderr)
	var ue usageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "see slackfake -h") {
		t.Errorf("run -nope = %v, want a usage error", err)
	}
}
