package bot

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/leadcoach/leadbot/bot/calendar"
	"github.com/leadcoach/leadbot/storage"
)

// Scheduler limits.
const (
	dueBatch        = 500             // subscriptions read per query
	staleClaimAfter = 2 * time.Minute // a claim older than this was interrupted
	historyForPick  = 200             // deliveries looked at to choose the next nudge
	pruneEvery      = time.Hour       // how often handled event ids are pruned

	// onTimeGrace is how late a slot (nudge, digest or weekly prompt) may
	// be noticed and still count as on time, whatever the catch-up window:
	// the scheduler looks every tick, so a slot is almost never seen at its
	// exact second.
	onTimeGrace = time.Minute
)

// runScheduler delivers until ctx is cancelled, in two loops that share
// the rate limit but wait for nothing of each other's: nudges (due slots,
// re-asks after "Not yet", recovery, follow-ups), and the bulk of team
// prompts and weekly digests, so that two hundred digests due on a Friday
// afternoon never make a nudge late. Each loop runs a pass every tick, or
// sooner when poked.
func (b *Bot) runScheduler(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { b.loop(ctx, b.log.With(keyComponent, "scheduler"), 0, b.nudgePass) })
	wg.Go(func() { b.loop(ctx, b.log.With(keyComponent, "bulk"), 1, b.bulkPass) })
	wg.Wait()
}

func (b *Bot) loop(ctx context.Context, log *slog.Logger, n int, pass func(context.Context, *slog.Logger, time.Time)) {
	for {
		if ctx.Err() == nil {
			pass(ctx, log, b.now())
			b.sched.passes[n].Add(1)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(b.sched.tick):
		case <-b.sched.wake[n]:
		}
	}
}

// poke makes both loops run a pass soon, e.g. after a schedule changed.
func (b *Bot) poke() {
	for _, w := range b.sched.wake {
		select {
		case w <- struct{}{}:
		default:
		}
	}
}

// nudgePass does one round of the nudges as of now. Each part claims its
// work in the database first (so two processes never both do it), then
// the claimed nudges are delivered by a bounded pool of workers under the
// rate limit, while later ones are still being claimed: a crowded minute
// is limited by Slack's rate, not by claims then sends. A pass that has
// started finishes its sends even when ctx is cancelled during it (they
// are short), so that shutdown never leaves a message half-recorded.
func (b *Bot) nudgePass(ctx context.Context, log *slog.Logger, now time.Time) {
	submit, wait := b.senders(ctx, log)
	b.recoverClaims(ctx, log, now, submit)
	b.claimDueSlots(ctx, log, now, submit)
	if ctx.Err() == nil {
		b.claimReasks(ctx, log, now, submit)
	}
	wait()
	if ctx.Err() != nil {
		return // shutting down: the rest is for the next pass, after a restart
	}
	b.sendFollowups(ctx, log, now)
}

// bulkPass does one round of the team prompts, weekly digests and day-90
// summaries as of now, the same way.
func (b *Bot) bulkPass(ctx context.Context, log *slog.Logger, now time.Time) {
	b.weeklyPass(ctx, log, now)
	if ctx.Err() != nil {
		return
	}
	submit, wait := b.senders(ctx, log)
	b.recoverDigests(ctx, log, now, submit)
	b.sendDigests(ctx, log, now, submit)
	b.recoverSummaries(ctx, log, now, submit)
	b.sendSummaries(ctx, log, now, submit)
	wait()
	if ctx.Err() == nil {
		b.pruneEvents(ctx, log, now)
	}
}

// pruneEvents forgets, at most once every pruneEvery, the ids of events
// handled longer ago than storage.EventRetention (and the tombstones kept
// as long): without it the de-duplication table grows for ever (see
// docs/events-pruning.md). A failed prune is tried again an interval
// later, not every pass.
func (b *Bot) pruneEvents(ctx context.Context, log *slog.Logger, now time.Time) {
	if !b.sched.pruned.IsZero() && now.Sub(b.sched.pruned) < pruneEvery {
		return
	}
	b.sched.pruned = now
	n, err := b.store.PruneEvents(ctx, now.Add(-storage.EventRetention))
	switch {
	case err != nil:
		log.Warn("could not prune the processed events", keyRows, n, keyErr, err)
	case n > 0:
		log.Info("processed events pruned", keyRows, n)
	default:
		log.Debug("no processed events to prune")
	}
}

// claimDueSlots claims every subscription slot that is due, or skips it if
// it was missed by more than the catch-up window or the user is paused.
func (b *Bot) claimDueSlots(ctx context.Context, log *slog.Logger, now time.Time, submit func(outgoing)) {
	for ctx.Err() == nil {
		subs, err := b.store.DueSubscriptions(ctx, now, dueBatch)
		if err != nil {
			log.Error("could not read due subscriptions", keyErr, err)
			return
		}
		progressed := false
		for _, s := range subs {
			if ctx.Err() != nil {
				return
			}
			job, ok, moved := b.claimSlot(ctx, log, s, now)
			progressed = progressed || moved
			if ok {
				submit(job)
			}
		}
		if len(subs) < dueBatch || !progressed {
			return
		}
	}
}

// claimSlot decides what to do with one due subscription. It returns the
// delivery to send if it claimed one, and whether the schedule moved on.
func (b *Bot) claimSlot(ctx context.Context, log *slog.Logger, s storage.Subscription, now time.Time) (outgoing, bool, bool) {
	log = log.With(keyUser, s.UserID)
	// The latest slot at or before now: after downtime only that one can
	// still be worth sending.
	latest, next := calendar.Due(calendar.Days(s.Days), s.Minute, calendar.LoadLocation(s.TZ), s.NextAt, now)

	if s.Status == storage.StatusPaused {
		if s.PausedUntil.IsZero() || now.Before(s.PausedUntil) || latest.Before(s.PausedUntil) {
			resumeStatus, until := storage.StatusPaused, s.PausedUntil
			if !s.PausedUntil.IsZero() && !now.Before(s.PausedUntil) {
				resumeStatus, until = storage.StatusActive, time.Time{}
			}
			moved, err := b.store.AdvanceSlot(ctx, s.UserID, s.NextAt, next, resumeStatus, until)
			if err != nil {
				log.Error("could not skip a paused slot", keyErr, err)
			} else if moved {
				log.Info("slot skipped: paused", keySlot, latest)
			}
			return nil, false, moved
		}
	}
	if lag := now.Sub(latest); lag > max(b.sched.catchup, onTimeGrace) {
		moved, err := b.store.AdvanceSlot(ctx, s.UserID, s.NextAt, next, storage.StatusActive, time.Time{})
		if err != nil {
			log.Error("could not skip a missed slot", keyErr, err)
		} else if moved {
			log.Warn("slot missed by more than the catch-up window; skipped", keySlot, latest, keyLag, lag)
		}
		return nil, false, moved
	}

	// A reflection due to come back takes the slot; else the programme's
	// next nudge.
	want, note, err := b.nextDelivery(ctx, log, s.UserID, now)
	if err != nil {
		log.Error("could not choose the next nudge", keyErr, err)
		return nil, false, false
	}
	want.Slot = latest
	d, claimed, err := b.store.ClaimSlot(ctx, want, s.NextAt, next)
	if err != nil {
		log.Error("could not claim a slot", keyErr, err)
		return nil, false, false
	}
	if !claimed {
		return nil, false, true // another process has it
	}
	if lag := now.Sub(latest); lag > time.Minute {
		log.Info("delivering a missed slot late", keySlot, latest, keyLag, lag)
	}
	return deliveryOut(d, note), true, true
}

// claimReasks claims the re-asks of nudges answered "Not yet" that are due.
func (b *Bot) claimReasks(ctx context.Context, log *slog.Logger, now time.Time, submit func(outgoing)) {
	due, err := b.store.DueReasks(ctx, now, dueBatch)
	if err != nil {
		log.Error("could not read due re-asks", keyErr, err)
		return
	}
	for _, orig := range due {
		d, ok, err := b.store.ClaimReask(ctx, orig)
		if err != nil {
			log.Error("could not claim a re-ask", keyUser, orig.UserID, keyErr, err)
			continue
		}
		if ok {
			submit(nudgeOut{d: d})
		}
	}
}

// scheduling is how deliveries go out: how often the scheduler looks, how
// late a missed slot may still go, and the workers and rate limit sends
// share.
type scheduling struct {
	tick    time.Duration
	catchup time.Duration // 0: never late
	workers int
	// limit spaces every send to Slack, evenly, with no burst: a burst of a
	// second's worth after an idle spell overruns a Slack bucket with a
	// smaller burst, and every 429 then parks a worker for Retry-After
	// (BenchmarkFanout measures it).
	limit *rate.Limiter
	wake  [2]chan struct{} // pokes the two loops
	// pruned is when the bulk loop last pruned handled event ids (only
	// that loop reads or writes it).
	pruned time.Time
	// passes counts the passes each loop has finished, for tests that must
	// see nothing happen: they wait for passes, not for time.
	passes [2]atomic.Int64
}

func newScheduling(cfg Config) *scheduling {
	s := &scheduling{
		tick:    orDefault(cfg.SchedulerTick, DefaultSchedulerTick),
		catchup: orDefault(cfg.Catchup, DefaultCatchup),
		workers: orDefault(cfg.SendWorkers, DefaultSendWorkers),
		limit:   rate.NewLimiter(rate.Limit(orDefault(cfg.SendRate, DefaultSendRate)), 1),
		wake:    [2]chan struct{}{make(chan struct{}, 1), make(chan struct{}, 1)},
	}
	if cfg.Catchup < 0 {
		s.catchup = 0
	}
	return s
}
