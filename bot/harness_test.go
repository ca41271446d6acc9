package bot

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/leadcoach/leadbot/bot/slackfake"
	"github.com/leadcoach/leadbot/storage"
)

// The bot's tests share the simulated world's clock and log buffer.
type (
	lockedBuffer = slackfake.Buffer
	testClock    = slackfake.Clock
)

func newClock(t time.Time) *testClock { return slackfake.NewClock(t) }

// testEnv is a fake Slack and a database file that one or more bots share.
type testEnv struct {
	fake   *slackfake.Server
	dbPath string
	clock  *testClock // nil: real time
}

func newEnv(t testing.TB, clock *testClock) *testEnv {
	t.Helper()
	fake, err := slackfake.New(slackfake.Options{PingInterval: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fake.Close() })
	return &testEnv{fake: fake, dbPath: filepath.Join(t.TempDir(), "leadbot.db"), clock: clock}
}

// testBot is a Bot running against a fake Slack, with a real database in
// a temporary directory.
type testBot struct {
	*Bot
	fake *slackfake.Server
	db   *storage.DB
	logs *lockedBuffer
	stop func() error
}

// newTestBot starts a bot with its own fake Slack and database.
func newTestBot(t *testing.T, cfg Config) *testBot {
	t.Helper()
	return newEnv(t, nil).start(t, cfg)
}

// start runs a bot in e with cfg's zero fields filled in: the fake's API, a
// database handle on e's file, the shipped content, e's clock, a fast
// scheduler tick and fast rate limits. It waits until the bot is connected (startRig, with the
// default options).
func (e *testEnv) start(t testing.TB, cfg Config) *testBot {
	t.Helper()
	return e.startRig(t, cfg, rigOptions{})
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// slash sends /lead-tip text as user and waits for the ack and the reply.
func (tb *testBot) slash(t *testing.T, user, text string) (slackfake.Ack, slackfake.ResponsePost) {
	t.Helper()
	ctx := testCtx(t)
	url := tb.fake.NewResponseURL()
	id, err := tb.fake.SendSlashCommand(ctx, slack.SlashCommand{UserID: user, Text: text, ResponseURL: url})
	if err != nil {
		t.Fatal(err)
	}
	ack, err := tb.fake.WaitAck(ctx, id)
	if err != nil {
		t.Fatalf("no ack: %v\n%s", err, tb.logs)
	}
	resp, err := tb.fake.WaitResponsePost(ctx, func(p slackfake.ResponsePost) bool { return strings.HasSuffix(url, p.Path) })
	if err != nil {
		t.Fatalf("no reply: %v\n%s", err, tb.logs)
	}
	return ack, resp
}

func visible(p slackfake.ResponsePost) string { return slackfake.VisibleText(p.Text, p.Blocks) }

// settle waits until both scheduler loops of each bot have finished three
// more passes: what was due has been done by then, and a test can check
// that nothing more happens without guessing how long that takes. A pass
// can be a fan-out to hundreds of users, which under the race detector on
// a busy two-core machine takes more than waitFor's ten seconds.
func settle(t testing.TB, bots ...*testBot) {
	t.Helper()
	const passes = 3
	var want [][2]int64
	for _, tb := range bots {
		want = append(want, [2]int64{tb.sched.passes[0].Load() + passes, tb.sched.passes[1].Load() + passes})
	}
	waitWithin(t, time.Minute, "scheduler passes", func() bool {
		for i, tb := range bots {
			if tb.sched.passes[0].Load() < want[i][0] || tb.sched.passes[1].Load() < want[i][1] {
				return false
			}
		}
		return true
	})
}
