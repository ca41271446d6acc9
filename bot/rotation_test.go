package bot

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/leadcoach/leadbot/prompts"
	"github.com/leadcoach/leadbot/storage"
)

// t0 is a Monday morning.
var t0 = time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)

// shippedLibrary loads the shipped content once for all the tests: a load
// takes a few hundred milliseconds of CPU, and the tests start about a
// hundred bots. They share it as the handlers of one process do; nothing
// changes a Library after Load.
var shippedLibrary = sync.OnceValues(prompts.Load)

// testLibrary returns the shipped content.
func testLibrary(t testing.TB) *prompts.Library {
	t.Helper()
	lib, err := shippedLibrary()
	if err != nil {
		t.Fatal(err)
	}
	return lib
}

// newManager is a first-time manager who started on t0.
func newManager(id string) storage.Profile {
	return storage.Profile{UserID: id, StartedOn: t0, FirstTime: storage.Yes, UpdatedAt: t0}
}

// simulate sends n nudges to p, a day apart from start, answering each
// with answer(nudge), and returns the history.
func simulate(lib *prompts.Library, p storage.Profile, history []storage.Delivery, start time.Time, n int, answer func(prompts.Nudge) string) []storage.Delivery {
	now := start
	for range n {
		nd, _ := nextNudge(lib, p, history, now)
		out := answer(nd)
		history = append(history, storage.Delivery{
			ID: int64(len(history) + 1), UserID: p.UserID, NudgeID: nd.ID, Kind: nd.Kind,
			Source: storage.SourceSchedule, ClaimedAt: now, Outcome: out, OutcomeAt: now,
		})
		now = now.Add(24 * time.Hour)
	}
	return history
}

func always(outcome string) func(prompts.Nudge) string {
	return func(prompts.Nudge) string { return outcome }
}

// Rule 1: the programme counts from the day they said they started, else
// from their first nudge, else today.
func TestProgrammeDay(t *testing.T) {
	now := t0.Add(10 * 24 * time.Hour)
	for _, c := range []struct {
		name string
		p    storage.Profile
		want int
	}{
		{"said", storage.Profile{StartedOn: t0.Add(-30 * 24 * time.Hour), FirstNudge: t0}, 40},
		{"first nudge", storage.Profile{FirstNudge: t0}, 10},
		{"nothing yet", storage.Profile{}, 0},
		{"starts soon", storage.Profile{StartedOn: now.Add(7 * 24 * time.Hour)}, -7},
	} {
		if got := programmeDay(c.p, now); got != c.want {
			t.Errorf("%s: day %d, want %d", c.name, got, c.want)
		}
	}
}

// Rule 2: the core kinds make up coreShare of what arrives, whatever the
// answers.
func TestCoreShare(t *testing.T) {
	lib := testLibrary(t)
	for _, outcome := range []string{storage.OutcomeDone, storage.OutcomeSkipped, ""} {
		h := simulate(lib, newManager("U1"), nil, t0, 100, always(outcome))
		core := 0
		for _, d := range h {
			if prompts.IsCore(d.Kind) {
				core++
			}
		}
		if share := float64(core) / float64(len(h)); share < 0.40 || share > 0.50 {
			t.Errorf("answering %q: core share %.2f, want 0.40–0.50", outcome, share)
		}
	}
	// Behind on core kinds (a history of others only): the next one is core.
	h := simulate(lib, newManager("U1"), nil, t0, 3, always(storage.OutcomeDone))
	for i := range h {
		h[i].Kind, h[i].NudgeID = "listen", fmt.Sprintf("listen-%d", i)
	}
	if n, _ := nextNudge(lib, newManager("U1"), h, t0.Add(72*time.Hour)); !prompts.IsCore(n.Kind) {
		t.Errorf("after three other nudges, next is %s, want a core kind", n.Kind)
	}
}

// Rule 3: within its group, no kind repeats until every kind of the group
// has been offered; re-asks do not count.
func TestRoundsWithinGroups(t *testing.T) {
	lib := testLibrary(t)
	p := storage.Profile{UserID: "U1", StartedOn: t0.Add(-200 * 24 * time.Hour)} // past day 90: every nudge fits
	h := simulate(lib, p, nil, t0, 120, always(storage.OutcomeDone))
	for _, core := range []bool{true, false} {
		var kinds []string
		for _, d := range h {
			if prompts.IsCore(d.Kind) == core {
				kinds = append(kinds, d.Kind)
			}
		}
		size := len(prompts.CoreKinds)
		if !core {
			size = len(nudgeKinds(lib)) - size
		}
		for start := 0; start+size <= len(kinds); start += size {
			round := slices.Clone(kinds[start : start+size])
			slices.Sort(round)
			if len(slices.Compact(round)) != size {
				t.Fatalf("core=%v: round %d repeats a kind: %v", core, start/size+1, kinds[start:start+size])
			}
		}
	}
	first, _ := nextNudge(lib, p, nil, t0)
	reask := []storage.Delivery{{ID: 1, NudgeID: first.ID, Kind: first.Kind, Source: storage.SourceReask, ClaimedAt: t0}}
	if got, _ := nextNudge(lib, p, reask, t0.Add(time.Hour)); prompts.IsCore(got.Kind) == prompts.IsCore(first.Kind) && got.Kind != first.Kind {
		t.Errorf("after only a re-ask of %s, next is %s: the re-ask used up its place", first.Kind, got.Kind)
	}
}

// Rule 3: in the first 90 days the kinds with the most nudges for the
// phase come first: listening when they arrive, stepping back and
// feedback at hand-off, translating and deciding when they lead.
func TestKindsFollowThePhase(t *testing.T) {
	lib := testLibrary(t)
	for _, c := range []struct {
		daysIn int
		phase  string
	}{{2, prompts.PhaseArrive}, {35, prompts.PhaseHandOff}, {65, prompts.PhaseLead}} {
		p := storage.Profile{UserID: "U1", StartedOn: t0.Add(-time.Duration(c.daysIn) * 24 * time.Hour)}
		s := newSelection(lib, p, nil, t0)
		if s.phase != c.phase {
			t.Fatalf("day %d: phase %q, want %q", c.daysIn, s.phase, c.phase)
		}
		order := s.roundOrder(s.group(false))
		most := 0
		count := map[string]int{}
		for _, n := range lib.Nudges {
			if n.For == "" && n.Fits(c.phase) && !prompts.IsCore(n.Kind) {
				count[n.Kind]++
				most = max(most, count[n.Kind])
			}
		}
		if count[order[0]] != most {
			t.Errorf("%s: first other kind %s has %d nudges for the phase, another has %d", c.phase, order[0], count[order[0]], most)
		}
	}
}

// Rules 3 and 4b: in the first 90 days, at three a week, every nudge fits
// the phase; after, any does.
func TestNudgesFitThePhase(t *testing.T) {
	lib := testLibrary(t)
	peers := newManager("U2")
	peers.FormerPeers = storage.Yes
	for _, p := range []storage.Profile{newManager("U1"), peers, {UserID: "U3"}} {
		for _, s := range SimulateSeason(lib, p, t0, 13, TypicalAnswers) {
			if !s.Reask && !s.Nudge.Fits(s.Phase) {
				t.Errorf("%s, week %d (%s): %s is for %v", p.UserID, s.Week, s.Phase, s.Nudge.ID, s.Nudge.Phases)
			}
		}
	}
	later := storage.Profile{UserID: "U1", StartedOn: t0.Add(-150 * 24 * time.Hour)}
	if s := newSelection(lib, later, nil, t0); s.phase != "" || s.phaseMiss(lib.Nudges[0]) != 0 {
		t.Errorf("month five: phase %q; every nudge should fit", s.phase)
	}
}

// Rules 3 and 4c: a manager of former peers gets every nudge for that
// which fits their first month in that month, and first in each group;
// nobody else ever gets them.
func TestFormerPeers(t *testing.T) {
	lib := testLibrary(t)
	peers := newManager("U1")
	peers.FormerPeers = storage.Yes
	month := SimulateSeason(lib, peers, t0, 4, TypicalAnswers)
	got := map[string]bool{}
	for _, s := range month {
		got[s.Nudge.ID] = true
	}
	for _, n := range lib.Nudges {
		if n.For == prompts.ForFormerPeers && n.Fits(prompts.PhaseArrive) && !got[n.ID] {
			t.Errorf("%s (%s) not sent in the first month", n.ID, n.Title)
		}
	}
	if !got["hard-conversation-former-peer"] {
		t.Error("no expectations reset with former peers in the first month")
	}
	for _, s := range month[:2] {
		if s.Nudge.For != prompts.ForFormerPeers {
			t.Errorf("the first nudge of its group, %s, is not for former peers", s.Nudge.ID)
		}
	}
	for _, p := range []storage.Profile{newManager("U2"), {UserID: "U3"}} {
		for _, s := range SimulateSeason(lib, p, t0, 52, TypicalAnswers) {
			if s.Nudge.For != "" {
				t.Fatalf("%s (former peers %v) got %s, which is for former peers", p.UserID, p.FormerPeers, s.Nudge.ID)
			}
		}
	}
}

// Rule 4a: a skipped nudge comes back only after the other nudges of its
// kind; one done is not offered again within doneSpacing.
func TestSkippedLaterDoneSpacedOut(t *testing.T) {
	lib := testLibrary(t)
	p := storage.Profile{UserID: "U1", StartedOn: t0.Add(-200 * 24 * time.Hour)}
	var delegates []prompts.Nudge
	for _, n := range lib.Nudges {
		if n.Kind == "delegate" && n.For == "" {
			delegates = append(delegates, n)
		}
	}
	var h []storage.Delivery
	for i, n := range delegates {
		d := storage.Delivery{ID: int64(i + 1), NudgeID: n.ID, Kind: n.Kind, Source: storage.SourceSchedule,
			ClaimedAt: t0.Add(-7 * 24 * time.Hour), Outcome: storage.OutcomeDone, OutcomeAt: t0.Add(-7 * 24 * time.Hour)}
		if i == 0 {
			d.Outcome, d.ClaimedAt = storage.OutcomeSkipped, t0.Add(-30*24*time.Hour)
		}
		h = append(h, d)
	}
	if got, _ := newSelection(lib, p, h, t0).bestInKind("delegate", false); got.ID != delegates[0].ID {
		t.Errorf("best delegate nudge = %s, want the skipped %s", got.ID, delegates[0].ID)
	}
	h[0].Outcome, h[0].OutcomeAt = storage.OutcomeDone, t0.Add(-24*time.Hour)
	if _, ok := newSelection(lib, p, h, t0).bestInKind("delegate", false); ok {
		t.Error("a delegate nudge done last week was offered again")
	}
	if _, ok := newSelection(lib, p, h, t0.Add(doneSpacing+48*time.Hour)).bestInKind("delegate", false); !ok {
		t.Error("no delegate nudge offered after the spacing has passed")
	}
}

// Rules 3 and 4d: a kind the user keeps postponing comes first in its
// next round, with a note, at its smallest level; one postponement is not
// yet "keeps postponing".
func TestPostponedKind(t *testing.T) {
	lib := testLibrary(t)
	p := storage.Profile{UserID: "U1", StartedOn: t0.Add(-200 * 24 * time.Hour), FirstTime: storage.No}
	postpone := func(nd prompts.Nudge) string {
		if nd.Kind == "hard-conversation" {
			return storage.OutcomeNotYet
		}
		return storage.OutcomeDone
	}
	h := simulate(lib, p, nil, t0, 14, postpone) // two core rounds and more
	var next prompts.Nudge
	var note string
	at := t0.Add(14 * 24 * time.Hour)
	for i := 0; i < 4 && !prompts.IsCore(next.Kind); i++ { // up to the next core nudge
		next, note = nextNudge(lib, p, h, at)
		if !prompts.IsCore(next.Kind) {
			h = append(h, storage.Delivery{ID: int64(len(h) + 1), NudgeID: next.ID, Kind: next.Kind, ClaimedAt: at,
				Source: storage.SourceSchedule, Outcome: storage.OutcomeDone, OutcomeAt: at})
			at = at.Add(24 * time.Hour)
		}
	}
	if next.Kind != "hard-conversation" || note != notePostponed || next.Level != 1 {
		t.Errorf("after postponing hard conversations twice: %s level %d with note %q; want hard-conversation, level 1, the note",
			next.Kind, next.Level, note)
	}
	h1 := simulate(lib, p, nil, t0, 4, postpone)
	if s := newSelection(lib, p, h1, t0.Add(5*24*time.Hour)); s.postponed("hard-conversation") {
		t.Error("one postponement counts as keeps postponing")
	}
}

// Rule 4d: levels start at 1 (2 for someone who has managed before or is
// past day 90) and go up one for every levelUpAfter nudges of the kind
// done with a reply; done without a reply does not count.
func TestLevels(t *testing.T) {
	lib := testLibrary(t)
	done := func(n int, replied bool) []storage.Delivery {
		var h []storage.Delivery
		for i := range n {
			d := storage.Delivery{ID: int64(i + 1), NudgeID: fmt.Sprintf("x%d", i), Kind: "delegate", Source: storage.SourceSchedule,
				ClaimedAt: t0.Add(time.Duration(i) * time.Hour), Outcome: storage.OutcomeDone}
			if replied {
				d.Replies = 1
			}
			h = append(h, d)
		}
		return h
	}
	experienced := newManager("U1")
	experienced.FirstTime = storage.No
	for _, c := range []struct {
		name string
		p    storage.Profile
		h    []storage.Delivery
		want int
	}{
		{"new", newManager("U1"), nil, 1},
		{"managed before", experienced, nil, 2},
		{"month five", storage.Profile{UserID: "U1", StartedOn: t0.Add(-150 * 24 * time.Hour)}, nil, 2},
		{"done twice with replies", newManager("U1"), done(2, true), 2},
		{"done four times with replies", newManager("U1"), done(4, true), 3},
		{"done often, capped", experienced, done(10, true), prompts.MaxLevel},
		{"done without replies", newManager("U1"), done(4, false), 1},
	} {
		if got := newSelection(lib, c.p, c.h, t0.Add(24*time.Hour)).targetLevel("delegate"); got != c.want {
			t.Errorf("%s: target level %d, want %d", c.name, got, c.want)
		}
	}
	// The target picks the nudge: a new manager's first delegate nudge is
	// of level 1.
	if n, ok := newSelection(lib, newManager("U1"), nil, t0).bestInKind("delegate", false); !ok || n.Level != 1 {
		t.Errorf("new manager's first delegate nudge is of level %d", n.Level)
	}
}

// Look-backs are not nudges: they change neither the rounds nor the share.
func TestLookBacksLeftOut(t *testing.T) {
	lib := testLibrary(t)
	p := newManager("U1")
	h := simulate(lib, p, nil, t0, 5, always(storage.OutcomeDone))
	want, _ := nextNudge(lib, p, h, t0.Add(6*24*time.Hour))
	h = append(h, storage.Delivery{ID: 99, NudgeID: storage.KindLookBack, Kind: storage.KindLookBack, LooksBack: 1,
		Source: storage.SourceSchedule, ClaimedAt: t0.Add(5 * 24 * time.Hour)})
	if got, _ := nextNudge(lib, p, h, t0.Add(6*24*time.Hour)); got.ID != want.ID {
		t.Errorf("a look-back changed the next nudge from %s to %s", want.ID, got.ID)
	}
}

// A season without a repeat: at three a week, with nudges done, skipped,
// ignored and put off, nothing is sent twice (re-asks aside) before week
// 27, and the core kinds are at least 40% of what arrives over the year.
func TestSeasonWithoutRepeat(t *testing.T) {
	lib := testLibrary(t)
	experienced := newManager("U3")
	experienced.FirstTime, experienced.StartedOn = storage.No, t0.Add(-150*24*time.Hour)
	peers := newManager("U2")
	peers.FormerPeers = storage.Yes
	for _, p := range []storage.Profile{newManager("U1"), peers, experienced, {UserID: "U4"}} {
		season := SimulateSeason(lib, p, t0, 52, TypicalAnswers)
		core, kinds := 0, map[string]bool{}
		firstRepeat := 0
		for _, s := range season {
			if prompts.IsCore(s.Nudge.Kind) {
				core++
			}
			kinds[s.Nudge.Kind] = true
			if s.Repeat && firstRepeat == 0 {
				firstRepeat = s.Week
			}
		}
		if firstRepeat != 0 && firstRepeat <= 26 {
			t.Errorf("%s: first repeat in week %d, want after week 26", p.UserID, firstRepeat)
		}
		if share := float64(core) / float64(len(season)); share < 0.40 {
			t.Errorf("%s: core kinds are %.0f%% of the year, want at least 40%%", p.UserID, 100*share)
		}
		if len(kinds) != len(nudgeKinds(lib)) {
			t.Errorf("%s: %d kinds in a year, want all %d", p.UserID, len(kinds), len(nudgeKinds(lib)))
		}
		t.Logf("%s: %d nudges, core %.0f%%, first repeat in week %d", p.UserID, len(season), 100*float64(core)/float64(len(season)), firstRepeat)
	}
}

// Every kind in the library has a name.
func TestKindTitles(t *testing.T) {
	for _, k := range nudgeKinds(testLibrary(t)) {
		if _, ok := kindTitles[k]; !ok {
			t.Errorf("kind %s has no title in kindTitles", k)
		}
	}
}
