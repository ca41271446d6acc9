package bot

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"golang.org/x/time/rate"
)

// DefaultHomePublishRate is how many Home tabs a second are republished
// after changes when Config.HomePublishRate is zero: Slack's Tier 4, the
// tier of views.publish, allows about 100 calls a minute per workspace.
const DefaultHomePublishRate = 100.0 / 60

// homePublisher keeps Home tabs up to date after changes without holding
// up what changed them. A change marks its user; one goroutine (runHomes)
// publishes the marked users one after another, under a rate limit of its
// own, building each view when its turn comes, so many changes to one
// user before then make one publish of the latest state. A fan-out that
// sends twenty nudges a second thus never waits for views.publish, whose
// limit is far lower, and a 429 holds up only the Home tabs.
type homePublisher struct {
	limit *rate.Limiter // views.publish calls, apart from the send limit
	wake  chan struct{} // buffered(1): something was marked

	mu     sync.Mutex
	marked map[string]int // users waiting to be published: waitingSoon or waitingLater
	// soon and later are the users in the order marked: changes a user
	// made first, then the scheduler's. An entry whose user is no longer
	// marked (published from the other queue, or taken) is skipped.
	soon, later []string
	busy        string // the user being published now, or ""
}

// Which queue a marked user waits in.
const (
	waitingLater = 1
	waitingSoon  = 2
)

func newHomePublisher(perSecond float64) *homePublisher {
	return &homePublisher{
		limit:  rate.NewLimiter(rate.Limit(perSecond), 1),
		wake:   make(chan struct{}, 1),
		marked: make(map[string]int),
	}
}

// mark queues userID's Home tab to be published: ahead of the
// scheduler's changes if soon (the user changed something), else behind
// them. A user already waiting is not queued twice.
func (p *homePublisher) mark(userID string, soon bool) {
	p.mu.Lock()
	switch {
	case soon && p.marked[userID] != waitingSoon:
		p.soon = append(p.soon, userID)
		p.marked[userID] = waitingSoon
	case !soon && p.marked[userID] == 0:
		p.later = append(p.later, userID)
		p.marked[userID] = waitingLater
	}
	p.mu.Unlock()
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// next returns the next user to publish and notes them as busy, or ""
// if none is waiting.
func (p *homePublisher) next() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.busy = ""
	for len(p.soon)+len(p.later) > 0 {
		var u string
		if len(p.soon) > 0 {
			u, p.soon = p.soon[0], p.soon[1:]
		} else {
			u, p.later = p.later[0], p.later[1:]
		}
		if p.marked[u] != 0 {
			delete(p.marked, u)
			p.busy = u
			return u
		}
	}
	p.soon, p.later = nil, nil // let the backing arrays go
	return ""
}

// take is for a publish of userID's Home tab made right away (the user
// is looking at it): it is no longer waiting, and its call counts against
// the rate limit without waiting for it. If the loop is publishing it at
// this moment, with a view built before this change perhaps, it is marked
// again so that the latest state is published last.
func (p *homePublisher) take(userID string) {
	p.limit.Reserve() // never cancelled: the call is made
	p.mu.Lock()
	busy := p.busy == userID
	delete(p.marked, userID)
	p.mu.Unlock()
	if busy {
		p.mark(userID, true)
	}
}

// runHomes publishes the Home tabs marked, under their rate limit, until
// ctx is cancelled. What is still marked then is dropped: a user sees the
// latest state the next time they open the tab.
func (b *Bot) runHomes(ctx context.Context) {
	log := b.log.With(keyComponent, "home")
	p := b.homes
	for {
		user := p.next()
		if user == "" {
			select {
			case <-ctx.Done():
				return
			case <-p.wake:
				continue
			}
		}
		if !b.wantsHome(ctx, user) {
			continue
		}
		if err := p.limit.Wait(ctx); err != nil {
			return // cancelled
		}
		err := b.sendHome(ctx, log.With(keyUser, user), user, nil)
		var limited *slack.RateLimitedError
		if errors.As(err, &limited) {
			// Slack's answer after the client's own retries: try this one
			// again after the wait Slack asked for, and the rest after it.
			p.mark(user, false)
			select {
			case <-ctx.Done():
				return
			case <-time.After(limited.RetryAfter):
			}
		}
	}
}

// wantsHome reports whether userID has ever opened their Home tab: for
// everyone else a publish would be a wasted call.
func (b *Bot) wantsHome(ctx context.Context, userID string) bool {
	u, err := b.store.User(ctx, userID)
	return err == nil && !u.HomeOpened.IsZero()
}
