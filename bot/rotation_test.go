package bot

import (
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

// simulate sends n nudges to user, answering each with answer(nudge), a
// day apart, and returns the deliveries.
func simulate(lib *prompts.Library, user string, history []storage.Delivery, start time.Time, n int, answer func(prompts.Nudge) string) []storage.Delivery {
	now := start
	for i := 0; i < n; i++ {
		nd, _ := nextNudge(lib, user, history, now)
		out := answer(nd)
		history = append(history, storage.Delivery{
			ID: int64(len(history) + 1), UserID: user, NudgeID: nd.ID, Kind: nd.Kind,
			Source: storage.SourceSchedule, ClaimedAt: now, Outcome: out, OutcomeAt: now,
		})
		now = now.Add(24 * time.Hour)
	}
	return history
}

func always(outcome string) func(prompts.Nudge) string {
	return func(prompts.Nudge) string { return outcome }
}

// Rule 1: no kind repeats until every kind has been offered.
func TestRotationCoversKindsBeforeRepeating(t *testing.T) {
	lib := testLibrary(t)
	kinds := nudgeKinds(lib)
	h := simulate(lib, "U1", nil, t0, 2*len(kinds), always(storage.OutcomeDone))
	for round := 0; round < 2; round++ {
		seen := map[string]bool{}
		for _, d := range h[round*len(kinds) : (round+1)*len(kinds)] {
			if seen[d.Kind] {
				t.Fatalf("round %d: kind %s offered twice before all %d kinds", round+1, d.Kind, len(kinds))
			}
			seen[d.Kind] = true
		}
	}
	// The kinds users asked for by name come first.
	for i, want := range []string{"delegate", "ask-feedback", "hard-conversation"} {
		if h[i].Kind != want {
			t.Errorf("nudge %d is %s, want %s", i+1, h[i].Kind, want)
		}
	}
}

// Re-asks after "Not yet" do not use up the kind's place in the round.
func TestRotationIgnoresReasks(t *testing.T) {
	lib := testLibrary(t)
	first, _ := nextNudge(lib, "U1", nil, t0)
	h := []storage.Delivery{{ID: 1, NudgeID: first.ID, Kind: first.Kind, Source: storage.SourceReask, ClaimedAt: t0}}
	if got, _ := nextNudge(lib, "U1", h, t0.Add(time.Hour)); got.Kind != first.Kind {
		t.Errorf("after only a re-ask, next kind is %s, want %s still", got.Kind, first.Kind)
	}
}

// Rule 3: a skipped nudge comes back, but only after the other nudges of
// its kind.
func TestRotationSkippedComesBackLater(t *testing.T) {
	lib := testLibrary(t)
	kinds := nudgeKinds(lib)
	var perKind int
	for _, n := range lib.Nudges {
		if n.Kind == "delegate" {
			perKind++
		}
	}
	skipFirst := func(nd prompts.Nudge) string { return storage.OutcomeSkipped }
	h := simulate(lib, "U1", nil, t0, 1, skipFirst)
	skipped := h[0].NudgeID
	h = simulate(lib, "U1", h, t0.Add(24*time.Hour), len(kinds)*perKind, always(storage.OutcomeDone))
	var delegates []string
	for _, d := range h {
		if d.Kind == "delegate" {
			delegates = append(delegates, d.NudgeID)
		}
	}
	if delegates[1] == skipped {
		t.Fatalf("skipped nudge came back as the very next delegate nudge")
	}
	back := -1
	for i, id := range delegates[1:] {
		if id == skipped {
			back = i + 1
			break
		}
	}
	if back != perKind {
		t.Errorf("skipped nudge came back as delegate nudge #%d, want #%d (after the other %d)", back+1, perKind+1, perKind-1)
	}
}

// Rule 3: a nudge marked done is not offered again within doneSpacing, even
// when its kind comes round again.
func TestRotationDoneIsSpacedOut(t *testing.T) {
	lib := testLibrary(t)
	var only []prompts.Nudge
	for _, n := range lib.Nudges {
		if n.Kind == "delegate" {
			only = append(only, n)
		}
	}
	// Every delegate nudge done a week ago except one skipped a month ago:
	// the skipped one comes first; with all done recently, none is offered
	// while another kind can be.
	var h []storage.Delivery
	for i, n := range only {
		d := storage.Delivery{ID: int64(i + 1), NudgeID: n.ID, Kind: n.Kind, Source: storage.SourceSchedule,
			ClaimedAt: t0.Add(-7 * 24 * time.Hour), Outcome: storage.OutcomeDone, OutcomeAt: t0.Add(-7 * 24 * time.Hour)}
		if i == 0 {
			d.Outcome, d.ClaimedAt = storage.OutcomeSkipped, t0.Add(-30*24*time.Hour)
		}
		h = append(h, d)
	}
	got, _ := bestInKind(lib, "U1", "delegate", sortedOldestFirst(h), t0, false)
	if got.ID != only[0].ID {
		t.Errorf("best delegate nudge = %s, want the skipped %s", got.ID, only[0].ID)
	}
	h[0].Outcome, h[0].OutcomeAt = storage.OutcomeDone, t0.Add(-24*time.Hour)
	if _, ok := bestInKind(lib, "U1", "delegate", sortedOldestFirst(h), t0, false); ok {
		t.Error("a delegate nudge done last week was offered again")
	}
	if _, ok := bestInKind(lib, "U1", "delegate", sortedOldestFirst(h), t0.Add(doneSpacing+48*time.Hour), false); !ok {
		t.Error("no delegate nudge offered after the spacing has passed")
	}
}

// Rule 2: a kind the user keeps postponing comes first in the next round,
// with a note, instead of being dropped.
func TestRotationPostponedKindIsNotDropped(t *testing.T) {
	lib := testLibrary(t)
	kinds := nudgeKinds(lib)
	postpone := func(nd prompts.Nudge) string {
		if nd.Kind == "hard-conversation" {
			return storage.OutcomeNotYet
		}
		return storage.OutcomeDone
	}
	h := simulate(lib, "U1", nil, t0, 2*len(kinds), postpone)
	// After two rounds of postponing, the third round starts with it.
	next, note := nextNudge(lib, "U1", h, t0.Add(time.Duration(2*len(kinds))*24*time.Hour))
	if next.Kind != "hard-conversation" {
		t.Errorf("third round starts with %s, want the postponed hard-conversation", next.Kind)
	}
	if note != notePostponed {
		t.Errorf("note = %q, want the postponed note", note)
	}
	// One postponement is not yet "keeps postponing".
	h1 := simulate(lib, "U2", nil, t0, len(kinds), postpone)
	if n, note := nextNudge(lib, "U2", h1, t0.Add(time.Duration(len(kinds))*24*time.Hour)); n.Kind == "hard-conversation" || note != "" {
		t.Errorf("after one postponement: %s with note %q", n.Kind, note)
	}
}
