package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack/socketmode"

	"github.com/leadcoach/leadbot/bot/slackfake"
)

// FuzzSocketFrame sends arbitrary bytes as one Socket Mode frame to a
// running bot, through the real path: the fake Slack's websocket, slack-go's
// parsing, and our dispatch and handlers. Whatever the frame, the bot does
// not panic, acknowledges every envelope that has an id (Slack would send
// it again otherwise), stays connected, and still answers the next
// command. The seed corpus (testdata/fuzz/FuzzSocketFrame) holds real
// payloads from Slack's docs and SDKs and broken variants of them.
func FuzzSocketFrame(f *testing.F) {
	for _, s := range []string{
		`{"envelope_id":"seed-1","type":"slash_commands","payload":{"user_id":"U0FUZZ","text":"history"}}`,
		`{"envelope_id":"seed-2","type":"slash_commands","payload":"not an object"}`,
		`{"envelope_id":"seed-3","type":"events_api","payload":{"type":"event_callback","event":{"type":"message","channel_type":"im"}}}`,
		`{"envelope_id":"seed-4","type":"interactive","payload":{"type":"block_actions","actions":[{"action_id":"nudge_done","value":"1"}]}}`,
		`{"envelope_id":"seed-5","type":"something_new"}`,
		`{"envelope_id":7}`,
		`not json at all {`,
		``,
		"\xff\xfe\x00",
	} {
		f.Add([]byte(s))
	}
	env := newRigEnv(f, slackfake.Options{}, nil)
	tb := env.startRig(f, Config{}, rigOptions{clientTimeout: 2 * time.Second})
	fake := env.fake

	f.Fuzz(func(t *testing.T, frame []byte) {
		panics := strings.Count(tb.logs.String(), "handler panicked")
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for {
			err := fake.SendRaw(ctx, frame)
			if err == nil {
				break
			}
			if ctx.Err() != nil {
				t.Fatalf("could not send the frame: %v", err)
			}
			time.Sleep(10 * time.Millisecond) // reconnecting after an earlier frame
		}
		if id := expectedAck(frame); id != "" && !eventually(5*time.Second, func() bool { return acked(fake, id) }) {
			t.Errorf("envelope %q was not acknowledged", id)
		}
		_, url := sendCommand(t, fake, "U0FUZZ", "help")
		if _, err := answer(t, fake, url, 10*time.Second); err != nil {
			t.Fatalf("the bot no longer answers after the frame: %v\n%s", err, tb.logs)
		}
		if !eventually(5*time.Second, tb.Connected) {
			t.Errorf("Connected() = false after the frame, while the connection is up (%d open)", fake.Connections())
		}
		if strings.Count(tb.logs.String(), "handler panicked") != panics {
			t.Errorf("a handler panicked on the frame:\n%s", tb.logs)
		}
	})
}

// expectedAck returns the envelope id the bot must acknowledge for frame,
// or "" when none is due: the frame is not JSON, has no id, or is a hello
// or disconnect (which are not acknowledged). slack-go reads the first
// JSON value of a frame and ignores the rest.
func expectedAck(frame []byte) string {
	var raw json.RawMessage
	if err := json.NewDecoder(bytes.NewReader(frame)).Decode(&raw); err != nil {
		return ""
	}
	var env struct {
		EnvelopeID string `json:"envelope_id"`
	}
	if json.Unmarshal(raw, &env) != nil || env.EnvelopeID == "" {
		return ""
	}
	var req socketmode.Request
	if json.Unmarshal(raw, &req) == nil && (req.Type == string(socketmode.RequestTypeHello) || req.Type == string(socketmode.RequestTypeDisconnect)) {
		return ""
	}
	return env.EnvelopeID
}

func TestExpectedAck(t *testing.T) {
	tests := map[string]string{
		`{"envelope_id":"a","type":"slash_commands"}`:        "a",
		`{"envelope_id":"b","type":"hello"}`:                 "",
		`{"envelope_id":"c","type":"disconnect"}`:            "",
		`{"envelope_id":"d","type":"disconnect","reason":5}`: "d", // slack-go cannot parse it: a bad message, acked
		`{"envelope_id":"e"} trailing`:                       "e",
		`{"envelope_id":5}`:                                  "",
		`[1,2]`:                                              "",
		``:                                                   "",
		`{"type":"events_api","payload":{}}`:                 "",
		`{"envelope_id":"f","type":"events_api","payload":null}`: "f",
	}
	for frame, want := range tests {
		if got := expectedAck([]byte(frame)); got != want {
			t.Errorf("expectedAck(%s) = %q, want %q", frame, got, want)
		}
	}
}
