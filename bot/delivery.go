package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/slack-go/slack"
)

// The one delivery path. Every message the bot sends on its own — a
// nudge, a team channel's weekly prompt, a weekly digest — goes the same
// way:
//
//  1. claim: a row in storage says this process sends it (state
//     "claimed"), so that two processes never both do;
//  2. send: under the shared rate limit, with the claim's id in the
//     message's metadata;
//  3. record: the claim is marked sent, with the message's ts, without the
//     request's deadline (the message is out: the record must not be lost);
//  4. recover: a claim left unconfirmed (the process stopped, or Slack acted
//     and its answer was lost) is looked up by that metadata among the
//     channel's latest messages: recorded if found, sent again if not and
//     still in time. Either way the message goes out exactly once. It is
//     the only way a post that may have gone out is sent again: the Web
//     API client retries a post Slack refused (429), never one whose
//     connection failed (WebAPIOptions).
//
// Each kind says where, what and how it is recorded by implementing
// outgoing; deliver and recoverPosted do the rest.
type outgoing interface {
	// describe returns what it is and its claim's id, for logs.
	describe() (what string, id int64)
	// marker is how its message is marked in Slack's metadata.
	marker() marker
	// channel returns where it goes (a user's DM is opened if need be).
	channel(ctx context.Context, b *Bot) (string, error)
	// message returns what is posted. An error wrapping errGone means it
	// can never be sent (its content left the library).
	message(ctx context.Context, b *Bot) (message, error)
	// record marks the claim sent as message ts in channel.
	record(ctx context.Context, b *Bot, channel, ts string) error
	// fail marks the claim failed: it cannot be sent. code is Slack's
	// error, or "" when Slack was not the reason.
	fail(ctx context.Context, b *Bot, log *slog.Logger, code string)
	// sent runs once it is recorded (metrics, the Home tab, a chart).
	sent(ctx context.Context, b *Bot, log *slog.Logger, channel string)
}

// marker is the metadata that marks a message as one delivery's: its
// event type, and the payload key holding the claim's id.
type marker struct{ eventType, key string }

func (m marker) metadata(id int64) slack.SlackMetadata {
	return slack.SlackMetadata{EventType: m.eventType, EventPayload: map[string]any{m.key: strconv.FormatInt(id, 10)}}
}

// Errors of deliver. errGone: it can never be sent, and the claim is
// marked failed. errPending: not sent this time, left claimed for
// recovery to try again.
var (
	errGone    = errors.New("cannot be delivered")
	errPending = errors.New("not delivered yet")
)

// permanentErrors are Slack errors after which sending the same message
// again cannot succeed: the claim is marked failed instead of retried. A
// dead bot token is not one of them: it stops the bot (socket.TokenWatch),
// and the claim waits to be recovered after a restart.
var permanentErrors = map[string]bool{
	"channel_not_found": true, "user_not_found": true, "user_disabled": true,
	"cannot_dm_bot": true, "is_archived": true, "not_in_channel": true, "invalid_blocks": true,
	"msg_too_long": true, "no_text": true, "restricted_action": true, "messages_tab_disabled": true,
	"missing_scope": true,
}

func isPermanent(err error) bool { return permanentErrors[slackErrorCode(err)] }

// deliver sends a claimed o and records it (steps 2 and 3). It logs what
// happens and returns nil once recorded, or an error wrapping errGone or
// errPending.
func (b *Bot) deliver(ctx context.Context, log *slog.Logger, o outgoing) error {
	what, id := o.describe()
	log = log.With(keyDelivery, id)
	msg, err := o.message(ctx, b)
	if errors.Is(err, errGone) {
		log.Error(what+" can no longer be sent", keyErr, err)
		o.fail(ctx, b, log, "")
		return err
	}
	if err != nil {
		log.Error("could not prepare the "+what, keyErr, err)
		return fmt.Errorf("%w: %w", errPending, err)
	}
	channel, err := o.channel(ctx, b)
	if err != nil {
		return b.deliveryFailed(ctx, log, o, "conversations.open", err)
	}
	if err := b.sched.limit.Wait(ctx); err != nil {
		return fmt.Errorf("%w: %w", errPending, err)
	}
	opts := append(msg.options(), slack.MsgOptionMetadata(o.marker().metadata(id)))
	_, ts, err := b.api.PostMessageContext(ctx, channel, opts...)
	if err != nil {
		return b.deliveryFailed(ctx, log, o, "chat.postMessage", err)
	}
	if err := o.record(context.WithoutCancel(ctx), b, channel, ts); err != nil {
		log.Error(what+" posted but not recorded as sent; recovery will find it", keyErr, err)
		return fmt.Errorf("%w: record: %w", errPending, err)
	}
	o.sent(ctx, b, log, channel)
	return nil
}

// deliveryFailed handles a Slack error of method while delivering o: a
// permanent one marks it failed (errGone), any other leaves it claimed
// (errPending).
func (b *Bot) deliveryFailed(ctx context.Context, log *slog.Logger, o outgoing, method string, err error) error {
	what, _ := o.describe()
	code := slackErrorCode(err)
	if isPermanent(err) {
		log.Warn(what+" cannot be delivered", keyMethod, method, keyErr, code)
		o.fail(ctx, b, log, code)
		return fmt.Errorf("%w: %w", errGone, err)
	}
	log.Warn(what+" not sent yet, will retry", keyMethod, method, keyErr, err)
	return fmt.Errorf("%w: %w", errPending, err)
}

// recoverPosted looks for o's message among the latest limit messages of
// channel (step 4) and records it if found. It reports whether it was.
func (b *Bot) recoverPosted(ctx context.Context, o outgoing, channel string, limit int) (bool, error) {
	if channel == "" {
		return false, nil // never opened, so never posted
	}
	_, id := o.describe()
	m := o.marker()
	if err := b.sched.limit.Wait(ctx); err != nil {
		return false, err
	}
	hist, err := b.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
		ChannelID: channel, Limit: limit, IncludeAllMetadata: true,
	})
	if err != nil {
		return false, err
	}
	want := strconv.FormatInt(id, 10)
	for _, msg := range hist.Messages {
		if msg.Metadata.EventType == m.eventType && msg.Metadata.EventPayload[m.key] == want {
			return true, o.record(context.WithoutCancel(ctx), b, channel, msg.Timestamp)
		}
	}
	return false, nil
}

// senders starts up to SendWorkers workers that deliver what is
// submitted, under the shared rate limit. wait stops taking work and waits
// for the workers. A delivery that has started is finished even when ctx
// is cancelled meanwhile (it is short), so that shutdown never leaves a
// message half-recorded.
func (b *Bot) senders(ctx context.Context, log *slog.Logger) (submit func(outgoing), wait func()) {
	queue := make(chan outgoing)
	var wg sync.WaitGroup
	started := 0
	submit = func(o outgoing) {
		if started < b.sched.workers {
			started++
			wg.Go(func() {
				for o := range queue {
					sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sendTimeout)
					_ = b.deliver(sctx, log, o) // logged there; what is left claimed is recovered
					cancel()
				}
			})
		}
		queue <- o
	}
	wait = func() {
		close(queue)
		wg.Wait()
	}
	return submit, wait
}

// sendTimeout bounds one delivery, including rate-limit waits.
const sendTimeout = 60 * time.Second
