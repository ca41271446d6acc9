package prompts

import (
	"strings"
	"testing"
)

func loadTest(t testing.TB) *Library {
	t.Helper()
	lib, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return lib
}

// The topics the product promises, with the exact ids other code and the
// README use.
var requiredTopics = []string{
	"delegation", "letting-go", "micromanagement", "feedback", "hard-conversations", "conflict",
	"communication", "listening", "emotional-intelligence", "coaching", "motivation",
	"trust-credibility", "team-building", "goals", "time-management", "strategy", "business",
	"decision-making", "project-management", "politics", "mentorship", "continuous-learning",
	"humility", "mindset", "career-path", "technical-balance",
}

func TestLibraryContent(t *testing.T) {
	lib := loadTest(t)
	if got := len(lib.Tips); got < 80 {
		t.Errorf("%d tips, want at least 80", got)
	}
	if got := len(lib.Nudges); got < 30 {
		t.Errorf("%d nudges, want at least 30", got)
	}
	if got := len(lib.TeamPrompts); got < 26 {
		t.Errorf("%d team prompts, want at least 26", got)
	}
	for _, id := range requiredTopics {
		if _, ok := lib.Topic(id); !ok {
			t.Errorf("topic %q missing", id)
		}
	}
	for _, kind := range []string{"delegate", "ask-feedback", "hard-conversation"} {
		n := 0
		for _, nd := range lib.Nudges {
			if nd.Kind == kind {
				n++
			}
		}
		if n == 0 {
			t.Errorf("no nudge of kind %q", kind)
		}
	}
	for _, tip := range lib.Tips {
		if !strings.Contains(strings.ToLower(" "+tip.Text+" "+tip.Try), "you") {
			t.Errorf("tip %s is not written in the second person", tip.ID)
		}
	}
}

// Career-path tips that only make sense before becoming a manager are
// marked, so they are never offered unasked, and still found by search.
func TestAspiringTips(t *testing.T) {
	lib := loadTest(t)
	aspiring := []string{"career-path-check-motivation", "career-path-small-roles", "career-path-lateral-moves",
		"career-path-say-you-want-it", "career-path-gradual-responsibility"}
	for _, id := range aspiring {
		tip, ok := lib.Tip(id)
		if !ok || tip.Audience != AudienceAspiring {
			t.Errorf("tip %s: audience %q, want %q", id, tip.Audience, AudienceAspiring)
		}
	}
	for _, id := range []string{"career-path-stay-technical", "career-path-support-ic-paths"} {
		if tip, _ := lib.Tip(id); tip.Audience != "" {
			t.Errorf("tip %s is for managers too, but marked %q", id, tip.Audience)
		}
	}
	for _, tip := range lib.ManagerTips() {
		if tip.Audience != "" {
			t.Errorf("ManagerTips includes %s (audience %q)", tip.ID, tip.Audience)
		}
	}
	if got, want := len(lib.ManagerTips()), len(lib.Tips)-len(aspiring); got != want {
		t.Errorf("%d tips for managers, want %d", got, want)
	}
	// A question from someone who wants to become a manager finds them.
	if a := lib.Answer("how do I tell my manager I want to become a team lead", nil); a.Tip.Audience != AudienceAspiring {
		t.Errorf("a question from someone who wants to become a manager is answered with %s (audience %q)", a.Tip.ID, a.Tip.Audience)
	}
}

func TestValidateRejectsBadRecords(t *testing.T) {
	// Loaded once (a load trains the classifier): each case changes a copy
	// of the slices it touches, never the library itself.
	lib := loadTest(t)
	good := func() *Library {
		cp := *lib
		cp.Tips = append([]Tip(nil), lib.Tips...)
		cp.Nudges = append([]Nudge(nil), lib.Nudges...)
		cp.Topics = append([]Topic(nil), lib.Topics...)
		return &cp
	}
	tests := []struct {
		name   string
		change func(*Library)
		want   string
	}{
		{"duplicate id", func(l *Library) { l.Tips[1].ID = l.Tips[0].ID }, "duplicate id"},
		{"unknown topic", func(l *Library) { l.Tips[0].Topic = "astrology" }, "unknown topic"},
		{"too long", func(l *Library) { l.Tips[0].Text = strings.Repeat("you ", 80) }, "at most 300"},
		{"empty text", func(l *Library) { l.Tips[0].Text = " " }, "text is required"},
		{"markup", func(l *Library) { l.Tips[0].Text = "you <!channel>" }, "contains <"},
		{"unknown article", func(l *Library) { l.Tips[0].Source.File = "nope.txt" }, "not one of the articles"},
		{"wrong title", func(l *Library) { l.Tips[0].Source.Title = "Another" }, "does not match"},
		{"bad id", func(l *Library) { l.Tips[0].ID = "Not An Id" }, "kebab-case"},
		{"nudge without question", func(l *Library) { l.Nudges[0].Question = "" }, "question is required"},
		{"too many keywords", func(l *Library) { l.Topics[0].Keywords = make([]string, 16) }, "at most 15"},
		{"empty keyword", func(l *Library) { l.Topics[0].Keywords = []string{"ok", " "} }, "keyword is required"},
		{"unknown audience", func(l *Library) { l.Tips[0].Audience = "executives" }, `audience "executives"`},
		{"only aspiring tips", func(l *Library) {
			for i := range l.Tips {
				l.Tips[i].Audience = AudienceAspiring
			}
		}, "at least one for managers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lib := good()
			tt.change(lib)
			err := lib.validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("validate() = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestAnswerPrefersUnseen(t *testing.T) {
	lib := loadTest(t)
	first := lib.Answer("delegation", nil)
	seen := map[string]bool{first.Tip.ID: true}
	second := lib.Answer("delegation", func(id string) bool { return seen[id] })
	if second.Tip.ID == first.Tip.ID {
		t.Errorf("second answer repeated %s although unseen delegation tips exist", first.Tip.ID)
	}
	another, ok := lib.Another("delegation", first.Tip.ID, nil)
	if !ok || another.Tip.ID == first.Tip.ID || another.Tip.Topic != "delegation" {
		t.Errorf("Another = %+v, %v; want another delegation tip", another.Tip, ok)
	}
	if _, ok := lib.Another("astrology", "", nil); ok {
		t.Error("Another of an unknown topic: got ok")
	}
}
