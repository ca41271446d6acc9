package prompts

import "testing"

// Asking again and again goes through every tip for managers once before
// any repeats, and then starts a second round; tips for people not yet
// managing never come unasked.
func TestFreshCyclesThroughLibrary(t *testing.T) {
	lib := loadTest(t)
	times := map[string]int{}
	count := func(id string) int { return times[id] }
	for round := 1; round <= 2; round++ {
		for i := range lib.ManagerTips() {
			a := lib.Fresh("U1", count)
			if a.Tip.Audience != "" {
				t.Fatalf("round %d, ask %d: got %s, a tip for audience %q", round, i+1, a.Tip.ID, a.Tip.Audience)
			}
			if times[a.Tip.ID] != round-1 {
				t.Fatalf("round %d, ask %d: got %s, already shown %d times", round, i+1, a.Tip.ID, times[a.Tip.ID])
			}
			if a.Topic.ID != a.Tip.Topic {
				t.Fatalf("answer topic %q does not match tip topic %q", a.Topic.ID, a.Tip.Topic)
			}
			times[a.Tip.ID]++
		}
	}
}

func TestFreshOrderDiffersPerUser(t *testing.T) {
	lib := loadTest(t)
	none := func(string) int { return 0 }
	if lib.Fresh("U1", none).Tip.ID == lib.Fresh("U2", none).Tip.ID &&
		lib.Fresh("U3", none).Tip.ID == lib.Fresh("U4", none).Tip.ID {
		t.Error("four users all start with the same tip: the order is not shuffled per user")
	}
}
