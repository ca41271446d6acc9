package bot

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/leadcoach/leadbot/bot/calendar"
	"github.com/leadcoach/leadbot/bot/chart"
	"github.com/leadcoach/leadbot/prompts"
	"github.com/leadcoach/leadbot/storage"
)

// The day-90 summary: once a user's programme reaches day 90 (counted from
// the day they became a manager if they said so, else from their first
// nudge), one DM sums it up: what they practised, done and not yet per
// kind, the chart of their weeks, and three of their own reflections. It
// is a milestone in storage, claimed before it is sent, so it goes out
// exactly once; one interrupted is recovered like every other message
// (delivery.go). A user who had fewer than summaryMinNudges nudges by
// then (they joined late) gets none: the milestone is marked skipped.
const (
	milestoneDay90   = "day-90"
	summaryMinNudges = 4
	summaryWeeks     = 13
	summaryQuotes    = 3
)

// summaryMetadataType marks the summary in Slack's message metadata.
const summaryMetadataType = "leadbot_summary"

// sendSummaries claims the day-90 summaries that are due and hands them to
// submit.
func (b *Bot) sendSummaries(ctx context.Context, log *slog.Logger, now time.Time, submit func(outgoing)) {
	due, err := b.store.DueMilestones(ctx, milestoneDay90, now.AddDate(0, 0, -prompts.ProgrammeDays), dueBatch)
	if err != nil {
		log.Error("could not read due summaries", keyErr, err)
		return
	}
	for _, userID := range due {
		if ctx.Err() != nil {
			return
		}
		ulog := log.With(keyUser, userID)
		ok, err := b.store.ClaimMilestone(ctx, userID, milestoneDay90)
		if err != nil {
			ulog.Error("could not claim the day-90 summary", keyErr, err)
			continue
		}
		if !ok {
			continue // another process has it
		}
		submit(&summaryOut{userID: userID})
	}
}

// recoverSummaries finds summaries claimed and never finished, and
// recovers each: recorded if the DM shows it, sent again if not. A summary
// is not tied to a minute, so it is never too late to send.
func (b *Bot) recoverSummaries(ctx context.Context, log *slog.Logger, now time.Time, submit func(outgoing)) {
	stale, err := b.store.StaleMilestones(ctx, now.Add(-staleClaimAfter), dueBatch)
	if err != nil {
		log.Error("could not read interrupted summaries", keyErr, err)
		return
	}
	for _, m := range stale {
		mlog := log.With(keyUser, m.UserID)
		if ok, err := b.store.ReclaimMilestone(ctx, m); err != nil || !ok {
			if err != nil {
				mlog.Error("could not take over an interrupted summary", keyErr, err)
			}
			continue
		}
		u, err := b.store.User(ctx, m.UserID)
		if err != nil {
			mlog.Error("could not read the user of an interrupted summary", keyErr, err)
			continue
		}
		o := &summaryOut{userID: m.UserID, claimedAt: m.ClaimedAt}
		switch found, err := b.recoverPosted(ctx, o, u.DMChannel, 50); {
		case err != nil:
			mlog.Warn("could not check whether an interrupted summary was posted", keyErr, err)
		case found:
			mlog.Info("interrupted summary had been posted; recorded")
		default:
			mlog.Info("resending an interrupted summary")
			submit(o)
		}
	}
}

// summaryOut is a claimed day-90 summary on the delivery path.
type summaryOut struct {
	userID    string
	claimedAt time.Time
	// Filled in by message, for sent.
	weeks   []chart.Week
	skipped bool
}

var summaryMarker = marker{summaryMetadataType, "milestone"}

// describe's id is constant: a user has one day-90 summary, so the
// metadata need not tell two apart.
func (o *summaryOut) describe() (string, int64) { return "day-90 summary", 90 }
func (o *summaryOut) marker() marker            { return summaryMarker }

func (o *summaryOut) channel(ctx context.Context, b *Bot) (string, error) {
	u, err := b.store.User(ctx, o.userID)
	if err != nil {
		return "", err
	}
	return b.dmChannel(ctx, u)
}

// errNothingToSum is the summary of someone who had too few nudges.
var errNothingToSum = fmt.Errorf("%w: too few nudges to sum up", errGone)

func (o *summaryOut) message(ctx context.Context, b *Bot) (message, error) {
	u, err := b.store.User(ctx, o.userID)
	if err != nil {
		return message{}, err
	}
	loc := calendar.LoadLocation(u.TZ)
	p, err := b.store.Profile(ctx, o.userID)
	if err != nil {
		return message{}, err
	}
	ds, err := b.store.DeliveriesSince(ctx, o.userID, time.Time{})
	if err != nil {
		return message{}, err
	}
	nudges := 0
	for _, d := range ds {
		if d.Kind != storage.KindLookBack && d.State == storage.StateSent {
			nudges++
		}
	}
	if nudges < summaryMinNudges {
		o.skipped = true
		return message{}, errNothingToSum
	}
	replies, err := b.store.RecentReplies(ctx, o.userID, 1000)
	if err != nil {
		return message{}, err
	}
	now := b.now()
	prog := summariseWeeks(ds, now, loc, summaryWeeks)
	o.weeks = prog.weeks
	return summaryMessage(b.lib, prog, nudges, !p.StartedOn.IsZero(), pickReflections(replies, summaryQuotes), loc), nil
}

func (o *summaryOut) record(ctx context.Context, b *Bot, _, _ string) error {
	return b.store.FinishMilestone(ctx, o.userID, milestoneDay90, storage.MilestoneSent)
}

func (o *summaryOut) fail(ctx context.Context, b *Bot, log *slog.Logger, _ string) {
	state := storage.MilestoneFailed
	if o.skipped {
		state = storage.MilestoneSkipped
		log.Info("day-90 summary skipped: too few nudges to sum up", keyUser, o.userID)
	}
	if err := b.store.FinishMilestone(context.WithoutCancel(ctx), o.userID, milestoneDay90, state); err != nil {
		log.Error("could not record the day-90 summary", keyErr, err)
	}
}

func (o *summaryOut) sent(ctx context.Context, b *Bot, log *slog.Logger, channel string) {
	log = log.With(keyUser, o.userID)
	b.metrics.programmeMessageSent(programmeSummary)
	b.uploadChart(ctx, log, channel, o.weeks, "Your first 90 days with Lead Coach", "lead-coach-90-days.png")
	log.Info("day-90 summary sent")
}

// pickReflections returns up to n of replies (newest first, as
// RecentReplies gives them) long enough to be reflections, spread over the
// whole time: the first, the latest and one from the middle, oldest first.
func pickReflections(replies []storage.Reply, n int) []storage.Reply {
	var long []storage.Reply
	for i := len(replies) - 1; i >= 0; i-- {
		if len([]rune(strings.TrimSpace(replies[i].Text))) >= reflectionChars {
			long = append(long, replies[i])
		}
	}
	if len(long) <= n {
		return long
	}
	out := make([]storage.Reply, 0, n)
	for i := range n {
		out = append(out, long[i*(len(long)-1)/(n-1)])
	}
	return out
}

// summaryMessage is the day-90 summary's text: how many challenges, what
// was practised with its outcomes per kind, the reflections quoted (user
// text, escaped), and what comes next.
func summaryMessage(lib *prompts.Library, p progress, nudges int, saidStart bool, quotes []storage.Reply, loc *time.Location) message {
	title := "Your first 90 days with Lead Coach"
	if saidStart {
		title = "Your first 90 days as a manager"
	}
	practised := 0
	for _, t := range p.perKind {
		if t.done+t.notYet+t.skipped > 0 {
			practised++
		}
	}
	text := fmt.Sprintf("%d %s came your way. None has a button pressed yet, and that is fine: the next 90 days start here.",
		nudges, plural(nudges, "challenge", "challenges"))
	if practised > 0 {
		text = fmt.Sprintf("%d %s came your way, and you answered %d %s of practice:\n%s", nudges,
			plural(nudges, "challenge", "challenges"), practised, plural(practised, "kind", "kinds"), kindLines(lib, p.perKind))
	}
	blocks := []slack.Block{
		slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, title, true, false)),
		section(text),
	}
	if len(quotes) > 0 {
		var q []string
		for _, r := range quotes {
			q = append(q, fmt.Sprintf("> %s  _%s_", escape(clip(strings.Join(strings.Fields(r.Text), " "), 300)), r.CreatedAt.In(loc).Format("2 Jan")))
		}
		blocks = append(blocks, section("*In your own words*\n"+strings.Join(q, "\n")))
	}
	blocks = append(blocks, section("*What comes next:* the nudges go on, now following what you do: "+
		"a kind you keep marking done gets harder, one you put off stays small. Thank you for the work you put in."))
	return message{text: title, blocks: blocks}
}
