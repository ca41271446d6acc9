package bot

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/leadcoach/leadbot/bot/calendar"
	"github.com/leadcoach/leadbot/bot/chart"
	"github.com/leadcoach/leadbot/storage"
)

// digestMetadataType marks our digest messages in Slack's message
// metadata, so that one interrupted by a crash is found and not sent
// twice.
const digestMetadataType = "leadbot_digest"

// The weekly digest comes at the end of the working week: Friday 16:00 in
// the user's timezone.
const (
	digestDay    = calendar.Days(1 << time.Friday)
	digestMinute = 16 * 60
)

// sendDigests claims the weekly progress digests that are due and hands
// them to submit. Each user's week is claimed first, so it goes out at
// most once per calendar week across restarts, processes and timezone
// changes; one missed by more than the catch-up window is skipped.
func (b *Bot) sendDigests(ctx context.Context, log *slog.Logger, now time.Time, submit func(outgoing)) {
	b.scheduleMissingDigests(ctx, log, now)
	due, err := b.store.DueDigests(ctx, now, dueBatch)
	if err != nil {
		log.Error("could not read due digests", keyErr, err)
		return
	}
	for _, s := range due {
		if ctx.Err() != nil {
			return
		}
		loc := calendar.LoadLocation(s.TZ)
		// After downtime, only the latest week counts. The next digest is
		// in the next calendar week, whatever the timezone does meanwhile.
		slot, _ := calendar.Due(digestDay, digestMinute, loc, s.DigestNextAt, now)
		next := calendar.FirstAfterWeek(digestDay, digestMinute, loc, slot)
		send := now.Sub(slot) <= max(b.sched.catchup, onTimeGrace)
		ok, err := b.store.ClaimDigest(ctx, s.UserID, int(calendar.WeekOf(slot, loc)), slot, s.DigestNextAt, next, send)
		if err != nil {
			log.Error("could not claim a digest", keyUser, s.UserID, keyErr, err)
			continue
		}
		if !ok || !send {
			if ok {
				log.Warn("digest missed by more than the catch-up window; skipped", keyUser, s.UserID)
			}
			continue
		}
		submit(&digestOut{userID: s.UserID, slot: slot, loc: loc})
	}
}

// recoverDigests finds digests claimed but never finished and recovers
// each (see delivery.go): recorded if the DM shows it, sent again if not
// and still in time, dropped otherwise.
func (b *Bot) recoverDigests(ctx context.Context, log *slog.Logger, now time.Time, submit func(outgoing)) {
	stale, err := b.store.StaleDigests(ctx, now.Add(-staleClaimAfter), dueBatch)
	if err != nil {
		log.Error("could not read interrupted digests", keyErr, err)
		return
	}
	for _, d := range stale {
		dlog := log.With(keyUser, d.UserID)
		if ok, err := b.store.ReclaimDigest(ctx, d); err != nil {
			dlog.Error("could not take over an interrupted digest", keyErr, err)
			continue
		} else if !ok {
			continue // another process is on it
		}
		u, err := b.store.User(ctx, d.UserID)
		if err != nil {
			dlog.Error("could not read the user of an interrupted digest", keyErr, err)
			continue
		}
		o := &digestOut{userID: d.UserID, slot: d.Slot, loc: calendar.LoadLocation(u.TZ)}
		found, err := b.recoverPosted(ctx, o, u.DMChannel, 50)
		switch {
		case err != nil:
			dlog.Warn("could not check whether an interrupted digest was posted", keyErr, err)
		case found:
			dlog.Info("interrupted digest had been posted; recorded")
		case now.Sub(d.Slot) > max(b.sched.catchup, staleClaimAfter+onTimeGrace):
			dlog.Warn("interrupted digest too old to send; dropped")
			o.fail(ctx, b, dlog, "")
		default:
			dlog.Info("resending an interrupted digest")
			submit(o)
		}
	}
}

// scheduleMissingDigests gives a digest time to subscriptions that have
// the digest on but no time for it: those made before the digest existed.
func (b *Bot) scheduleMissingDigests(ctx context.Context, log *slog.Logger, now time.Time) {
	subs, err := b.store.UnscheduledDigests(ctx, dueBatch)
	if err != nil {
		log.Error("could not read subscriptions without a digest time", keyErr, err)
		return
	}
	for _, s := range subs {
		next := calendar.NextSlot(digestDay, digestMinute, calendar.LoadLocation(s.TZ), now)
		if _, err := b.store.ScheduleDigest(ctx, s.UserID, next); err != nil {
			log.Error("could not schedule the digest", keyUser, s.UserID, keyErr, err)
		}
	}
}

// digestOut is a claimed weekly digest on the delivery path: one user's
// week, what they did, their streak, one highlight from their own replies
// and, after the text, the chart of the last eight weeks (a bonus: a chart
// that cannot be uploaded is logged, not retried). It is recorded in
// digests, keyed by its slot.
type digestOut struct {
	userID string
	slot   time.Time
	loc    *time.Location
	// Filled in by message, for sent.
	weeks []chart.Week
	quiet bool
}

var digestMarker = marker{digestMetadataType, "slot"}

func (o *digestOut) describe() (string, int64) { return "digest", o.slot.Unix() }
func (o *digestOut) marker() marker            { return digestMarker }

func (o *digestOut) channel(ctx context.Context, b *Bot) (string, error) {
	u, err := b.store.User(ctx, o.userID)
	if err != nil {
		return "", err
	}
	return b.dmChannel(ctx, u)
}

func (o *digestOut) message(ctx context.Context, b *Bot) (message, error) {
	now := b.now()
	ds, err := b.store.DeliveriesSince(ctx, o.userID, calendar.WeekOf(now, o.loc).Start(o.loc).AddDate(0, 0, -7*53))
	if err != nil {
		return message{}, fmt.Errorf("read the week: %w", err)
	}
	p := summarise(ds, now, o.loc)
	replies, err := b.store.RecentReplies(ctx, o.userID, 20)
	if err != nil {
		b.log.Warn("could not read replies for the highlight", keyUser, o.userID, keyErr, err)
	}
	var highlight string
	for _, r := range replies {
		if r.CreatedAt.After(now.Add(-digestPeriod)) {
			highlight = r.Text
			break
		}
	}
	week := digestWeek(ds, now)
	o.weeks, o.quiet = p.weeks, len(week) == 0
	return digestMessage(week, p.streak, highlight), nil
}

func (o *digestOut) record(ctx context.Context, b *Bot, _, _ string) error {
	return b.store.FinishDigest(ctx, o.userID, o.slot, true)
}

func (o *digestOut) fail(ctx context.Context, b *Bot, log *slog.Logger, _ string) {
	if err := b.store.FinishDigest(context.WithoutCancel(ctx), o.userID, o.slot, false); err != nil {
		log.Error("could not record the digest", keyErr, err)
	}
}

func (o *digestOut) sent(ctx context.Context, b *Bot, log *slog.Logger, channel string) {
	log = log.With(keyUser, o.userID)
	if o.quiet || o.weeks == nil {
		log.Info("digest sent (quiet week)")
		return
	}
	b.uploadChart(ctx, log, channel, o.weeks, "Your last 8 weeks with Lead Coach", "lead-coach-weekly.png")
	log.Info("digest sent")
}

// uploadChart renders weeks as the outcome chart titled title and uploads
// it to channel. It is a bonus to the message before it: a chart that
// cannot be rendered or uploaded is logged, not retried.
func (b *Bot) uploadChart(ctx context.Context, log *slog.Logger, channel string, weeks []chart.Week, title, filename string) {
	png, err := chart.WeeklyOutcomes(weeks, title)
	if err != nil {
		log.Error("could not render the chart", keyErr, err)
		return
	}
	if err := b.sched.limit.Wait(ctx); err != nil {
		return
	}
	_, err = b.api.UploadFileContext(ctx, slack.UploadFileParameters{
		Reader: bytes.NewReader(png), FileSize: len(png), Filename: filename,
		Title: "Done, not yet and skipped per week", Channel: channel,
		AltTxt: fmt.Sprintf("Bar chart of your nudges marked done, not yet and skipped in each of the last %d weeks", len(weeks)),
	})
	if err != nil {
		log.Warn("chart not uploaded", keyErr, slackErrorCode(err))
	}
}

// digestPeriod is what a digest sums up: the seven days before it, so that
// a nudge scheduled after Friday 16:00 counts in the next one.
const digestPeriod = 7 * 24 * time.Hour

// digestWeek returns the challenges (look-backs aside) of the digestPeriod before now, one
// per nudge (a nudge asked again after "Not yet" counts once, with its
// latest outcome), oldest first.
func digestWeek(ds []storage.Delivery, now time.Time) []storage.Delivery {
	latest := map[string]int{} // nudge id → index in week
	var week []storage.Delivery
	for _, d := range sortedOldestFirst(ds) {
		if d.State == storage.StateFailed || d.Kind == storage.KindLookBack ||
			!d.ClaimedAt.After(now.Add(-digestPeriod)) || d.ClaimedAt.After(now) {
			continue
		}
		if i, ok := latest[d.NudgeID]; ok {
			week[i] = d
			continue
		}
		latest[d.NudgeID] = len(week)
		week = append(week, d)
	}
	return week
}

// digestMessage is the text of the weekly digest: week's challenges (from
// digestWeek), the streak and a highlight from the user's replies.
func digestMessage(week []storage.Delivery, streak int, highlight string) message {
	if len(week) == 0 {
		text := "*Your week with Lead Coach*\nA quiet week, and that is fine. Want a challenge now? `/lead-tip nudge`."
		return message{text: "Your week with Lead Coach", blocks: []slack.Block{section(text)}}
	}
	var done, notYet, skipped, open int
	for _, d := range week {
		switch d.Outcome {
		case storage.OutcomeDone:
			done++
		case storage.OutcomeNotYet:
			notYet++
		case storage.OutcomeSkipped:
			skipped++
		default:
			open++
		}
	}
	lines := []string{
		"*Your week with Lead Coach*",
		fmt.Sprintf("This week: %d %s, %s.", len(week), plural(len(week), "challenge", "challenges"), digestOutcomes(done, notYet, skipped, open)),
	}
	if streak > 0 {
		lines = append(lines, fmt.Sprintf(":fire: %d %s in a row with a nudge done.", streak, plural(streak, "week", "weeks")))
	}
	if highlight != "" {
		lines = append(lines, "From your notes:\n> "+escape(clip(strings.Join(strings.Fields(highlight), " "), 200)))
	}
	lines = append(lines, "Have a good weekend. `/lead-tip digest off` stops these summaries.")
	return message{text: "Your week with Lead Coach", blocks: []slack.Block{section(strings.Join(lines, "\n"))}}
}

// digestOutcomes says how the week's challenges went, leaving out zeros:
// "2 done, 1 skipped".
func digestOutcomes(done, notYet, skipped, open int) string {
	var parts []string
	for _, c := range []struct {
		n    int
		word string
	}{{done, "done"}, {notYet, "not yet"}, {skipped, "skipped"}, {open, "still open"}} {
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c.n, c.word))
		}
	}
	return strings.Join(parts, ", ")
}

// digestCommand handles "/lead-tip digest on|off".
func (b *Bot) digestCommand(ctx context.Context, log *slog.Logger, who person, cmd command) message {
	sub, loc, msg, ok := b.ownSubscription(ctx, log, who)
	if !ok {
		return msg
	}
	arg := ""
	if len(cmd.args) > 0 {
		arg = strings.ToLower(cmd.args[0])
	}
	switch arg {
	case "off":
		sub.DigestOn = false
	case "on":
		sub.DigestOn = true
	default:
		state := "on"
		if !sub.DigestOn {
			state = "off"
		}
		return textMessage("Your weekly summary (Friday 16:00 your time) is " + state + ". `/lead-tip digest on` or `/lead-tip digest off` to change it.")
	}
	sub.DigestNextAt = nextDigest(sub, loc, b.now())
	if err := b.store.SaveSubscription(ctx, sub); err != nil {
		log.Error("could not save the digest setting", keyErr, err)
		return textMessage(msgSorry)
	}
	log.Info("digest setting changed", keyOn, sub.DigestOn)
	if sub.DigestOn {
		return textMessage("Weekly summary on: the next one comes " + formatWhen(sub.DigestNextAt, loc) + ".")
	}
	return textMessage("Weekly summary off. Your nudges carry on as before.")
}

// nextDigest returns when sub's next weekly digest is due: Friday 16:00 in
// loc, if the digest is on; the time it already has, if that is still to
// come.
func nextDigest(sub storage.Subscription, loc *time.Location, now time.Time) time.Time {
	if !sub.DigestOn {
		return time.Time{}
	}
	if sub.DigestNextAt.IsZero() || !sub.DigestNextAt.After(now) {
		return calendar.NextSlot(digestDay, digestMinute, loc, now)
	}
	return sub.DigestNextAt
}
