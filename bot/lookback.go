package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/leadcoach/leadbot/storage"
)

// Looking back: four weeks after a user wrote a reflection (a reply to a
// nudge), one of their scheduled slots brings it back instead of a nudge,
// in their own words, and asks what has changed since. The answer is a
// reply to the look-back, linked to the reflection it looks back on.
//
//   - only replies of at least reflectionChars characters count: "done!"
//     is not a reflection;
//   - a reflection comes back lookBackAfter after it was written, or at
//     the first slot within lookBackWindow after that; never twice;
//   - at most one look-back every lookBackSpacing;
//   - only in scheduled slots: /lead-tip nudge always sends a nudge.
const (
	lookBackAfter   = 28 * 24 * time.Hour
	lookBackWindow  = 28 * 24 * time.Hour
	lookBackSpacing = 7 * 24 * time.Hour
	reflectionChars = 40
)

// lookBackTitle names a look-back where nudges show their title.
const lookBackTitle = "Looking back"

// lookBackDue returns the reflection of userID to bring back at now, if
// one is due.
func (b *Bot) lookBackDue(ctx context.Context, log *slog.Logger, userID string, now time.Time) (storage.Reply, bool) {
	r, err := b.store.LookBackCandidate(ctx, userID, storage.LookBack{
		WrittenFrom: now.Add(-lookBackAfter - lookBackWindow), WrittenTo: now.Add(-lookBackAfter),
		NoneSince: now.Add(-lookBackSpacing), MinChars: reflectionChars,
	})
	if err != nil {
		if !errors.Is(err, storage.ErrNotFound) {
			log.Warn("could not look for a reflection to bring back; sending a nudge", keyErr, err)
		}
		return storage.Reply{}, false
	}
	return r, true
}

// lookBackOut is a claimed look-back on the delivery path: like a nudge,
// to the user's DM and recorded in deliveries, marked with the same
// metadata (its claim is a delivery too).
type lookBackOut struct{ d storage.Delivery }

func (o lookBackOut) describe() (string, int64) { return "look-back", o.d.ID }
func (o lookBackOut) marker() marker            { return nudgeMarker }

func (o lookBackOut) channel(ctx context.Context, b *Bot) (string, error) {
	return nudgeOut{d: o.d}.channel(ctx, b)
}

func (o lookBackOut) message(ctx context.Context, b *Bot) (message, error) {
	r, err := b.store.Reply(ctx, o.d.UserID, o.d.LooksBack)
	if errors.Is(err, storage.ErrNotFound) {
		return message{}, fmt.Errorf("reflection %d: %w: deleted since", o.d.LooksBack, errGone)
	}
	if err != nil {
		return message{}, err
	}
	about := ""
	orig, err := b.store.Delivery(ctx, o.d.UserID, r.DeliveryID)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		b.log.Warn("could not read the nudge a reflection answered; looking back without its title", keyUser, o.d.UserID, keyDelivery, o.d.ID, keyErr, err)
	}
	if n, ok := b.lib.Nudge(orig.NudgeID); ok {
		about = n.Title
	}
	return lookBackMessage(r.Text, about, b.now().Sub(r.CreatedAt)), nil
}

func (o lookBackOut) record(ctx context.Context, b *Bot, channel, ts string) error {
	return nudgeOut{d: o.d}.record(ctx, b, channel, ts)
}

func (o lookBackOut) fail(ctx context.Context, b *Bot, log *slog.Logger, code string) {
	nudgeOut{d: o.d}.fail(ctx, b, log, code)
}

func (o lookBackOut) sent(ctx context.Context, b *Bot, log *slog.Logger, channel string) {
	b.metrics.programmeMessageSent(programmeLookBack)
	log.Info("look-back sent", keyUser, o.d.UserID, keyChannel, channel)
	b.homeChangedLater(o.d.UserID)
}

// deliveryOut returns the outgoing message of a claimed delivery: a
// look-back or a nudge.
func deliveryOut(d storage.Delivery, note string) outgoing {
	if d.Kind == storage.KindLookBack {
		return lookBackOut{d: d}
	}
	return nudgeOut{d: d, note: note}
}

// lookBackMessage shows the user what they wrote age ago (escaped, as
// all user text) about the nudge titled about ("" if unknown), and asks
// what has changed since.
func lookBackMessage(text, about string, age time.Duration) message {
	when := weeksAgo(age)
	var quoted []string
	for _, line := range strings.Split(clip(strings.TrimSpace(text), 1500), "\n") {
		quoted = append(quoted, "> "+escape(line))
	}
	intro := fmt.Sprintf("*%s you wrote:*", when)
	if about != "" {
		intro = fmt.Sprintf("*%s, after “%s”, you wrote:*", when, escape(about))
	}
	return message{text: lookBackTitle + ": " + when + " you wrote…", blocks: []slack.Block{
		slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, lookBackTitle, true, false)),
		section(intro + "\n" + strings.Join(quoted, "\n")),
		section("*What has changed since?* Reply in this thread: I keep your answer with what you wrote then."),
		contextLine("Looking back now and then is how you see your own progress. `/lead-tip history` shows the rest."),
	}}
}

// weeksAgo says how long ago age was, in whole weeks: "Four weeks ago".
func weeksAgo(age time.Duration) string {
	words := []string{"This week", "A week ago", "Two weeks ago", "Three weeks ago", "Four weeks ago",
		"Five weeks ago", "Six weeks ago", "Seven weeks ago", "Eight weeks ago"}
	w := int(age / (7 * 24 * time.Hour))
	if w < len(words) {
		return words[max(w, 0)]
	}
	return fmt.Sprintf("%d weeks ago", w)
}
