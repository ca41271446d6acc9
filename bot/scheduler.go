package bot

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/leadcoach/leadbot/bot/calendar"
	"github.com/leadcoach/leadbot/storage"
)

// Scheduler limits.
const (
	dueBatch        = 500              // subscriptions read per query
	staleClaimAfter = 2 * time.Minute  // a claim older than this was interrupted
	sendTimeout     = 60 * time.Second // one delivery, including rate-limit waits
	historyForPick  = 200              // deliveries looked at to choose the next nudge

	// onTimeGrace is how late a slot (nudge, digest or weekly prompt) may
	// be noticed and still count as on time, whatever the catch-up window:
	// the scheduler looks every tick, so a slot is almost never seen at its
	// exact second.
	onTimeGrace = time.Minute
)

// runScheduler delivers nudges until ctx is cancelled: every tick it looks
// for due slots, re-asks and follow-ups. A pass that has started finishes
// its sends even when ctx is cancelled during it (they are short), so that
// shutdown never leaves a message half-recorded.
func (b *Bot) runScheduler(ctx context.Context) {
	log := b.log.With(keyComponent, "scheduler")
	for {
		b.schedulerPass(ctx, log, b.now())
		select {
		case <-ctx.Done():
			return
		case <-time.After(b.sched.tick):
		case <-b.sched.wake:
		}
	}
}

// poke makes the scheduler run a pass soon, e.g. after a schedule changed.
func (b *Bot) poke() {
	select {
	case b.sched.wake <- struct{}{}:
	default:
	}
}

// delivery is one message for the worker pool to send.
type delivery struct {
	d    storage.Delivery
	note string
}

// schedulerPass does one round of work as of now. Each part claims its
// work in the database first (so two processes never both do it), then the
// claimed deliveries are sent by a bounded pool of workers under one rate
// limit.
func (b *Bot) schedulerPass(ctx context.Context, log *slog.Logger, now time.Time) {
	if ctx.Err() != nil {
		return
	}
	// Deliveries are sent while later ones are still being claimed, so a
	// crowded minute is limited by Slack's rate, not by claims then sends.
	submit, wait := b.senders(context.WithoutCancel(ctx), log)
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
	b.sendDigests(ctx, log, now)
	b.weeklyPass(ctx, log, now)
}

// claimDueSlots claims every subscription slot that is due, or skips it if
// it was missed by more than the catch-up window or the user is paused.
func (b *Bot) claimDueSlots(ctx context.Context, log *slog.Logger, now time.Time, submit func(delivery)) {
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
func (b *Bot) claimSlot(ctx context.Context, log *slog.Logger, s storage.Subscription, now time.Time) (delivery, bool, bool) {
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
				log.Info("slot skipped: paused", "slot", latest)
			}
			return delivery{}, false, moved
		}
	}
	if lag := now.Sub(latest); lag > max(b.sched.catchup, onTimeGrace) {
		moved, err := b.store.AdvanceSlot(ctx, s.UserID, s.NextAt, next, storage.StatusActive, time.Time{})
		if err != nil {
			log.Error("could not skip a missed slot", keyErr, err)
		} else if moved {
			log.Warn("slot missed by more than the catch-up window; skipped", "slot", latest, "lag", lag)
		}
		return delivery{}, false, moved
	}

	history, err := b.store.Deliveries(ctx, s.UserID, historyForPick)
	if err != nil {
		log.Error("could not read history", keyErr, err)
		return delivery{}, false, false
	}
	n, note := nextNudge(b.lib, s.UserID, history, now)
	d, claimed, err := b.store.ClaimSlot(ctx, storage.Delivery{
		UserID: s.UserID, NudgeID: n.ID, Kind: n.Kind, Slot: latest,
	}, s.NextAt, next)
	if err != nil {
		log.Error("could not claim a slot", keyErr, err)
		return delivery{}, false, false
	}
	if !claimed {
		return delivery{}, false, true // another process has it
	}
	if lag := now.Sub(latest); lag > time.Minute {
		log.Info("delivering a missed slot late", "slot", latest, "lag", lag)
	}
	return delivery{d: d, note: note}, true, true
}

// claimReasks claims the re-asks of nudges answered "Not yet" that are due.
func (b *Bot) claimReasks(ctx context.Context, log *slog.Logger, now time.Time, submit func(delivery)) {
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
			submit(delivery{d: d})
		}
	}
}

// senders starts SendWorkers workers that send what is submitted, under the
// shared rate limit. wait stops taking work and waits for the workers;
// workers start only when the first job arrives.
func (b *Bot) senders(ctx context.Context, log *slog.Logger) (submit func(delivery), wait func()) {
	queue := make(chan delivery)
	var wg sync.WaitGroup
	started := 0
	submit = func(job delivery) {
		if started < b.sched.workers {
			started++
			wg.Go(func() {
				for job := range queue {
					sctx, cancel := context.WithTimeout(ctx, sendTimeout)
					b.send(sctx, log, job)
					cancel()
				}
			})
		}
		queue <- job
	}
	wait = func() {
		close(queue)
		wg.Wait()
	}
	return submit, wait
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
	wake  chan struct{} // pokes the scheduler
}

func newScheduling(cfg Config) scheduling {
	s := scheduling{
		tick:    orDefault(cfg.SchedulerTick, DefaultSchedulerTick),
		catchup: orDefault(cfg.Catchup, DefaultCatchup),
		workers: orDefault(cfg.SendWorkers, DefaultSendWorkers),
		limit:   rate.NewLimiter(rate.Limit(orDefault(cfg.SendRate, DefaultSendRate)), 1),
		wake:    make(chan struct{}, 1),
	}
	if cfg.Catchup < 0 {
		s.catchup = 0
	}
	return s
}
