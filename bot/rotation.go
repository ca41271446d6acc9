package bot

import (
	"cmp"
	"hash/fnv"
	"slices"
	"time"

	"github.com/leadcoach/leadbot/prompts"
	"github.com/leadcoach/leadbot/storage"
)

// The programme: the rule for choosing a user's next nudge, from the
// library, what they said of their situation (storage.Profile) and the
// nudges they had (look-backs aside).
//
//  1. Programme day: days since the day they became a manager if they said
//     so, else since their first nudge. Days 0–27 are the arrive phase,
//     28–55 hand-off, 56–89 lead (prompts.PhaseOn); from day 90 the season
//     goes on by outcomes, every nudge fitting.
//  2. Core share: the next nudge is of a core kind (delegate, ask for
//     feedback, hard conversation) while those are under coreShare of the
//     nudges received so far, re-asks included; else of another kind.
//  3. Kinds go in rounds within their group (core or other): a kind is not
//     offered again until every kind of its group has been, since the
//     round began. Re-asks after "Not yet" do not count. In the first 90
//     days a round is of the kinds with nudges for the phase still to
//     send: a kind with none waits for its phase (and when no kind has
//     any left, all are in the round). Within a round a kind the user
//     keeps postponing (its last postponeLimit nudges answered "Not yet"
//     or "Skip") comes first, with a note: it is never dropped silently.
//     Then, in the arrive phase, kinds with nudges still to send for a
//     manager of former peers (to such a manager), and kinds with more
//     nudges still to send for the phase; then library order.
//  4. Within a kind, among the nudges for everyone (and those for former
//     peers, to a manager who said they lead them):
//     a. a nudge never sent first; one skipped, not yet done or left
//     unanswered next; one done last, and not within doneSpacing of
//     being done;
//     b. in the first 90 days, one for the phase first, then one for an
//     earlier phase, then a later one;
//     c. in the arrive phase, for a manager of former peers, one for them;
//     d. the level nearest the kind's target, lower before higher. The
//     target is 1 for a kind the user keeps postponing; otherwise the
//     starting level (1; 2 for a manager who has managed before or is
//     past day 90) plus one for every levelUpAfter nudges of the kind
//     marked done with a reply, at most prompts.MaxLevel;
//     e. the fewest times sent, then an order shuffled per user.
//
// Each rule has a test in rotation_test.go, and TestSeasonWithoutRepeat
// runs it over a simulated year; `leadbot season` prints that year
// (docs/season.md).
const (
	coreShare     = 0.45
	postponeLimit = 2
	doneSpacing   = 8 * 7 * 24 * time.Hour
	levelUpAfter  = 2
)

// notePostponed is shown on a nudge of a kind the user keeps postponing.
const notePostponed = "You have put this kind of challenge off a few times. That is normal: try the smallest version of it you can manage this week."

// programmeDay returns the day of p's programme at now (see rule 1).
func programmeDay(p storage.Profile, now time.Time) int {
	start := p.StartedOn
	if start.IsZero() {
		start = p.FirstNudge
	}
	if start.IsZero() {
		return 0
	}
	return int(now.Sub(start).Hours() / 24)
}

// nextNudge picks the next nudge for the user of profile p, given their
// deliveries (any order), and returns it with a note to show, or "".
func nextNudge(lib *prompts.Library, p storage.Profile, history []storage.Delivery, now time.Time) (prompts.Nudge, string) {
	s := newSelection(lib, p, history, now)

	// Rule 2: the group.
	core := float64(s.coreSent) < coreShare*float64(s.sent)
	for _, group := range [][]string{s.group(core), s.group(!core)} {
		// Rule 3, then rule 4 per kind; a kind whose nudges are all resting
		// after being done gives way to the next kind, and if all do, the
		// resting is ignored.
		order := s.roundOrder(group)
		for _, ignoreSpacing := range []bool{false, true} {
			for _, k := range order {
				if n, ok := s.bestInKind(k, ignoreSpacing); ok {
					if s.postponed(k) {
						return n, notePostponed
					}
					return n, ""
				}
			}
		}
	}
	// Unreachable with a valid library (every kind has nudges for
	// everyone); fall back to the first nudge rather than fail a delivery.
	return lib.Nudges[0], ""
}

// selection is what the rule knows while choosing one nudge.
type selection struct {
	lib         *prompts.Library
	userID      string
	now         time.Time
	phase       string // "" after the first 90 days
	formerPeers bool
	startLevel  int
	chrono      []storage.Delivery // nudges, oldest first, look-backs left out
	sent        int                // nudges received, re-asks included
	coreSent    int
	stats       map[string]*nudgeStat // per nudge id
}

type nudgeStat struct {
	times  int
	last   string // outcome of the latest delivery
	doneAt time.Time
}

func newSelection(lib *prompts.Library, p storage.Profile, history []storage.Delivery, now time.Time) *selection {
	day := programmeDay(p, now)
	s := &selection{lib: lib, userID: p.UserID, now: now, phase: prompts.PhaseOn(day),
		formerPeers: p.FormerPeers == storage.Yes, startLevel: 1, stats: map[string]*nudgeStat{}}
	if p.FirstTime == storage.No || day >= prompts.ProgrammeDays {
		s.startLevel = 2
	}
	for _, d := range sortedOldestFirst(history) {
		if d.Kind == storage.KindLookBack {
			continue
		}
		s.chrono = append(s.chrono, d)
		s.sent++
		if prompts.IsCore(d.Kind) {
			s.coreSent++
		}
		st := s.stats[d.NudgeID]
		if st == nil {
			st = &nudgeStat{}
			s.stats[d.NudgeID] = st
		}
		st.times++
		st.last = d.Outcome
		if d.Outcome == storage.OutcomeDone {
			st.doneAt = d.OutcomeAt
		}
	}
	return s
}

// group returns the core kinds, or the others, in library order.
func (s *selection) group(core bool) []string {
	var out []string
	for _, k := range nudgeKinds(s.lib) {
		if prompts.IsCore(k) == core {
			out = append(out, k)
		}
	}
	return out
}

// offered reports whether n may be sent to this user at all.
func (s *selection) offered(n prompts.Nudge) bool {
	return n.For == "" || (n.For == prompts.ForFormerPeers && s.formerPeers)
}

// roundOrder applies rule 3 to group: its kinds not offered yet in the
// current round, best first.
func (s *selection) roundOrder(group []string) []string {
	inGroup := map[string]bool{}
	for _, k := range group {
		inGroup[k] = true
	}
	inRound := map[string]bool{}
	for _, d := range s.chrono {
		if d.Source == storage.SourceReask || !inGroup[d.Kind] {
			continue
		}
		inRound[d.Kind] = true
		if len(inRound) == len(group) {
			inRound = map[string]bool{}
		}
	}
	type ranked struct {
		kind              string
		postponed, peers  bool
		forPhase, library int
	}
	var all []ranked
	for i, k := range group {
		r := ranked{kind: k, postponed: s.postponed(k), library: i}
		for _, n := range s.lib.Nudges {
			if n.Kind != k || !s.offered(n) || s.stats[n.ID] != nil || s.phase == "" || !n.Fits(s.phase) {
				continue
			}
			r.forPhase++
			if n.For == prompts.ForFormerPeers && s.phase == prompts.PhaseArrive {
				r.peers = true
			}
		}
		all = append(all, r)
	}
	// In the first 90 days, a round is of the kinds that have nudges for the
	// phase still to send: one whose have all been sent starts the next
	// round early, and a kind with none waits for its phase. When no kind
	// has any left, every kind of the group is in the round again.
	pick := func(keep func(r ranked) bool) []ranked {
		var out []ranked
		for _, r := range all {
			if keep(r) {
				out = append(out, r)
			}
		}
		return out
	}
	rs := pick(func(r ranked) bool { return !inRound[r.kind] && r.forPhase > 0 })
	if len(rs) == 0 {
		rs = pick(func(r ranked) bool { return r.forPhase > 0 })
	}
	if len(rs) == 0 {
		rs = pick(func(r ranked) bool { return !inRound[r.kind] })
	}
	slices.SortStableFunc(rs, func(a, b ranked) int {
		if c := compareTrueFirst(a.postponed, b.postponed); c != 0 {
			return c
		}
		if c := compareTrueFirst(a.peers, b.peers); c != 0 {
			return c
		}
		if c := cmp.Compare(b.forPhase, a.forPhase); c != 0 {
			return c
		}
		return cmp.Compare(a.library, b.library)
	})
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.kind
	}
	return out
}

func compareTrueFirst(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}

// postponed reports whether the user keeps postponing kind: its last
// postponeLimit nudges were answered "Not yet" or "Skip".
func (s *selection) postponed(kind string) bool {
	n := 0
	for i := len(s.chrono) - 1; i >= 0 && n < postponeLimit; i-- {
		d := s.chrono[i]
		if d.Kind != kind {
			continue
		}
		if d.Outcome != storage.OutcomeNotYet && d.Outcome != storage.OutcomeSkipped {
			return false
		}
		n++
	}
	return n >= postponeLimit
}

// targetLevel is rule 4d's target for kind.
func (s *selection) targetLevel(kind string) int {
	if s.postponed(kind) {
		return 1
	}
	done := 0
	for _, d := range s.chrono {
		if d.Kind == kind && d.Outcome == storage.OutcomeDone && d.Replies > 0 {
			done++
		}
	}
	return min(prompts.MaxLevel, s.startLevel+done/levelUpAfter)
}

// bestInKind applies rule 4 to the nudges of kind.
func (s *selection) bestInKind(kind string, ignoreSpacing bool) (prompts.Nudge, bool) {
	target := s.targetLevel(kind)
	var best prompts.Nudge
	var bestKey [6]uint64
	found := false
	for _, n := range s.lib.Nudges {
		if n.Kind != kind || !s.offered(n) {
			continue
		}
		st := s.stats[n.ID]
		if !ignoreSpacing && st != nil && !st.doneAt.IsZero() && s.now.Sub(st.doneAt) < doneSpacing {
			continue
		}
		key := [6]uint64{s.rank(st), s.phaseMiss(n), 1, s.levelMiss(n.Level, target), 0, shuffle(s.userID, n.ID)}
		if s.formerPeers && s.phase == prompts.PhaseArrive && n.For == prompts.ForFormerPeers {
			key[2] = 0
		}
		if st != nil {
			key[4] = uint64(st.times)
		}
		if !found || less(key[:], bestKey[:]) {
			best, bestKey, found = n, key, true
		}
	}
	return best, found
}

// rank is rule 4a.
func (s *selection) rank(st *nudgeStat) uint64 {
	switch {
	case st == nil:
		return 0 // never sent
	case st.last == storage.OutcomeDone:
		return 2
	default:
		return 1 // skipped, not yet, replied or unanswered
	}
}

// phaseMiss is rule 4b: 0 for a nudge of the phase (or after the
// programme), 1 for one of an earlier phase only, 2 otherwise.
func (s *selection) phaseMiss(n prompts.Nudge) uint64 {
	if n.Fits(s.phase) {
		return 0
	}
	order := []string{prompts.PhaseArrive, prompts.PhaseHandOff, prompts.PhaseLead}
	now := slices.Index(order, s.phase)
	for _, p := range n.Phases {
		if slices.Index(order, p) < now {
			return 1
		}
	}
	return 2
}

// levelMiss is rule 4d: distance from target, lower levels before higher.
func (s *selection) levelMiss(level, target int) uint64 {
	if level <= target {
		return uint64(2 * (target - level))
	}
	return uint64(2*(level-target) + 1)
}

func less(a, b []uint64) bool {
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
