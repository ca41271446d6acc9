package bot

import (
	"slices"
	"testing"
)

// drain returns the users p would publish, in order, until none waits.
func drain(p *homePublisher) []string {
	var got []string
	for u := p.next(); u != ""; u = p.next() {
		got = append(got, u)
	}
	return got
}

// TestHomePublisherQueue: each user waits once however often marked; the
// users' own changes go before the scheduler's; a publish made right away
// takes the user out of the queue, and a user being published when they
// change something again is published again after.
func TestHomePublisherQueue(t *testing.T) {
	p := newHomePublisher(1000)
	for _, u := range []string{"U1", "U2", "U1", "U3", "U2"} {
		p.mark(u, false)
	}
	p.mark("U3", true)
	p.mark("U4", true)
	p.mark("U4", true)
	p.take("U2")
	if got, want := drain(p), []string{"U3", "U4", "U1"}; !slices.Equal(got, want) {
		t.Errorf("published %q, want %q", got, want)
	}

	p.mark("U1", false)
	if u := p.next(); u != "U1" {
		t.Fatalf("next = %q, want U1", u)
	}
	p.take("U1") // published right away while the loop publishes an older view
	if got, want := drain(p), []string{"U1"}; !slices.Equal(got, want) {
		t.Errorf("after a publish right away during the loop's: %q, want %q", got, want)
	}
}
