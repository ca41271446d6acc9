package bot

import (
	"cmp"
	"hash/fnv"
	"slices"
	"time"

	"github.com/leadcoach/leadbot/prompts"
	"github.com/leadcoach/leadbot/storage"
)

// The rule for choosing a user's next nudge.
//
//  1. Kinds go in rounds: a kind (delegate, ask-feedback, hard-conversation…)
//     is not offered again until every kind has been offered once since the
//     last full round. Re-asks after "Not yet" do not count.
//  2. Kinds come in library order (the three users asked for by name
//     first), except that a kind the user keeps postponing (its last
//     postponeLimit nudges answered "Not yet" or "Skip") comes first in
//     its round, with a note saying so: it is never dropped silently.
//  3. Within a kind, a nudge never sent comes first; one skipped (or left
//     unanswered) comes back after the kind's unsent ones, so later; one
//     marked done comes last and not within doneSpacing of being done.
//     Ties go to the fewest times sent, then to an order shuffled per user.
//
// Each rule has a test in rotation_test.go.
const (
	postponeLimit = 2
	doneSpacing   = 8 * 7 * 24 * time.Hour
)

// notePostponed is shown on a nudge of a kind the user keeps postponing.
const notePostponed = "You have put this kind of challenge off a few times. That is normal: try the smallest version of it you can manage this week."

// nextNudge picks the next nudge for userID given their deliveries (any
// order) and returns it with a note to show, or "".
func nextNudge(lib *prompts.Library, userID string, history []storage.Delivery, now time.Time) (prompts.Nudge, string) {
	kinds := nudgeKinds(lib)
	chrono := sortedOldestFirst(history)

	// Rule 1: the kinds offered in the current round.
	inRound := map[string]bool{}
	for _, d := range chrono {
		if d.Source == storage.SourceReask {
			continue
		}
		inRound[d.Kind] = true
		if len(inRound) == len(kinds) {
			inRound = map[string]bool{}
		}
	}

	// Rule 2: kinds to choose from, postponed ones first.
	postponed := map[string]bool{}
	for _, k := range kinds {
		postponed[k] = postponeStreak(chrono, k) >= postponeLimit
	}
	var order []string
	for _, pass := range []bool{true, false} {
		for _, k := range kinds {
			if !inRound[k] && postponed[k] == pass {
				order = append(order, k)
			}
		}
	}

	// Rule 3, per kind; a kind whose nudges are all resting after being done
	// gives way to the next kind, and if all do, the resting is ignored.
	for _, ignoreSpacing := range []bool{false, true} {
		for _, k := range order {
			if n, ok := bestInKind(lib, userID, k, chrono, now, ignoreSpacing); ok {
				if postponed[k] {
					return n, notePostponed
				}
				return n, ""
			}
		}
	}
	// Unreachable with a valid library (every kind has nudges); fall back to
	// the first nudge rather than fail a delivery.
	return lib.Nudges[0], ""
}

// postponeStreak counts the most recent consecutive nudges of kind answered
// "Not yet" or "Skip".
func postponeStreak(chrono []storage.Delivery, kind string) int {
	n := 0
	for i := len(chrono) - 1; i >= 0; i-- {
		d := chrono[i]
		if d.Kind != kind {
			continue
		}
		if d.Outcome != storage.OutcomeNotYet && d.Outcome != storage.OutcomeSkipped {
			break
		}
		n++
	}
	return n
}

// bestInKind applies rule 3 to the nudges of kind.
func bestInKind(lib *prompts.Library, userID, kind string, chrono []storage.Delivery, now time.Time, ignoreSpacing bool) (prompts.Nudge, bool) {
	type stat struct {
		times  int
		last   string // outcome of the latest delivery
		doneAt time.Time
	}
	stats := map[string]*stat{}
	for _, d := range chrono {
		s := stats[d.NudgeID]
		if s == nil {
			s = &stat{}
			stats[d.NudgeID] = s
		}
		s.times++
		s.last = d.Outcome
		if d.Outcome == storage.OutcomeDone {
			s.doneAt = d.OutcomeAt
		}
	}
	rank := func(s *stat) int {
		switch {
		case s == nil:
			return 0 // never sent
		case s.last == storage.OutcomeDone:
			return 2
		default:
			return 1 // skipped, not yet, replied or unanswered
		}
	}
	var best prompts.Nudge
	found := false
	var bestKey [3]uint64
	for _, n := range lib.Nudges {
		if n.Kind != kind {
			continue
		}
		s := stats[n.ID]
		if !ignoreSpacing && s != nil && !s.doneAt.IsZero() && now.Sub(s.doneAt) < doneSpacing {
			continue
		}
		times := 0
		if s != nil {
			times = s.times
		}
		key := [3]uint64{uint64(rank(s)), uint64(times), shuffle(userID, n.ID)}
		if !found || less(key, bestKey) {
			best, bestKey, found = n, key, true
		}
	}
	return best, found
}

func less(a, b [3]uint64) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// shuffle orders equally good nudges differently for each user.
func shuffle(userID, id string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(userID))
	h.Write([]byte{0})
	h.Write([]byte(id))
	return h.Sum64()
}

// nudgeKinds lists the kinds in the order they first appear in the library.
func nudgeKinds(lib *prompts.Library) []string {
	seen := map[string]bool{}
	var kinds []string
	for _, n := range lib.Nudges {
		if !seen[n.Kind] {
			seen[n.Kind] = true
			kinds = append(kinds, n.Kind)
		}
	}
	return kinds
}

func sortedOldestFirst(ds []storage.Delivery) []storage.Delivery {
	out := slices.Clone(ds)
	slices.SortStableFunc(out, func(a, b storage.Delivery) int {
		if c := a.ClaimedAt.Compare(b.ClaimedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out
}
