package prompts

import "testing"

func TestOneEdit(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"delagate", "delegate", true},         // changed
		{"feedbak", "feedback", true},          // dropped
		{"feeedback", "feedback", true},        // added
		{"stakehodlers", "stakeholders", true}, // swapped
		{"delegate", "delegate", false},
		{"delgaet", "delegate", false}, // two edits
		{"abcde", "abxye", false},
		{"ab", "abcd", false},
	}
	for _, tt := range tests {
		if got := oneEdit(tt.a, tt.b); got != tt.want {
			t.Errorf("oneEdit(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
		if got := oneEdit(tt.b, tt.a); got != tt.want {
			t.Errorf("oneEdit(%q, %q) = %v, want %v", tt.b, tt.a, got, tt.want)
		}
	}
}

func TestSpeller(t *testing.T) {
	s := newSpeller(map[string]int{
		"delegate": 5, "delegated": 1, "feedback": 9, "micromanager": 2, "conversation": 3,
		"tried": 4, "hired": 1, "team": 20, "teams": 3,
	})
	tests := map[string]string{
		"delagate":    "delegate",
		"feedbak":     "feedback",
		"micromanger": "micromanager",
		"converstion": "conversation",
		"tride":       "tried",
		// Too short, not letters, or nothing one edit away with the same
		// first letter: left alone.
		"tema":  "",
		"team2": "",
		"fired": "", // "hired" keeps no first letter
		"zebra": "",
	}
	for in, want := range tests {
		if got := s.correct(in); got != want {
			t.Errorf("correct(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestTyposFindTheirTopic checks typos managers make of library words end
// to end: each finds the topic its correct spelling finds.
func TestTyposFindTheirTopic(t *testing.T) {
	lib := loadTest(t)
	pairs := [][2]string{
		{"how do i delagate", "how do i delegate"},
		{"giving feedbak", "giving feedback"},
		{"i am a micromanger", "i am a micromanager"},
		{"a hard converstion", "a hard conversation"},
		{"prioritse my week", "prioritise my week"},
	}
	for _, p := range pairs {
		typo, right := lib.Answer(p[0], nil), lib.Answer(p[1], nil)
		if !right.Matched || typo.Topic.ID != right.Topic.ID {
			t.Errorf("%q answers topic %q, %q answers %q", p[0], typo.Topic.ID, p[1], right.Topic.ID)
		}
	}
}
