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
	for _, id := range requiredTopics {
		if _, ok := lib.Topic(id); !ok {
			t.Errorf("topic %q missing", id)
		}
	}
	for _, tip := range lib.Tips {
		if !strings.Contains(strings.ToLower(" "+tip.Text+" "+tip.Try), "you") {
			t.Errorf("tip %s is not written in the second person", tip.ID)
		}
	}
}

// A season without a repeat (issue 16): enough nudges of every kind, the
// kinds the product is built around and those for deciding, running
// projects and mindset; each phase of the first 90 days with nudges of
// every core kind, at every level.
func TestNudgesForASeason(t *testing.T) {
	lib := loadTest(t)
	if got := len(lib.Nudges); got < 90 {
		t.Errorf("%d nudges, want at least 90", got)
	}
	perKind := map[string]int{}
	type key struct{ kind, phase string }
	perPhase := map[key]int{}
	levels := map[string]map[int]bool{}
	for _, n := range lib.Nudges {
		perKind[n.Kind]++
		for _, p := range n.Phases {
			perPhase[key{n.Kind, p}]++
		}
		if levels[n.Kind] == nil {
			levels[n.Kind] = map[int]bool{}
		}
		levels[n.Kind][n.Level] = true
	}
	for _, k := range append([]string{"decide", "plan-project", "mindset"}, CoreKinds...) {
		if perKind[k] == 0 {
			t.Errorf("no nudge of kind %q", k)
		}
	}
	for k, n := range perKind {
		if n < 5 {
			t.Errorf("kind %s has %d nudges, want at least 5", k, n)
		}
		for l := 1; l <= MaxLevel; l++ {
			if !levels[k][l] {
				t.Errorf("kind %s has no nudge of level %d", k, l)
			}
		}
	}
	for _, k := range CoreKinds {
		for _, p := range []string{PhaseArrive, PhaseHandOff, PhaseLead} {
			if perPhase[key{k, p}] < 3 {
				t.Errorf("core kind %s has %d nudges for phase %s, want at least 3", k, perPhase[key{k, p}], p)
			}
		}
	}
}

// Every "why" says how the action helps, never that it is simply the
// manager's job now.
func TestWhysSayHowItHelps(t *testing.T) {
	lib := loadTest(t)
	banned := []string{"your job now", "your job is", "it is your job", "it's your job", "that is the job",
		"because you are the manager", "because you're the manager", "you have to", "you must", "managers must",
		"is expected of you", "part of the role", "comes with the title"}
	for _, n := range lib.Nudges {
		why := strings.ToLower(n.Why)
		for _, b := range banned {
			if strings.Contains(why, b) {
				t.Errorf("nudge %s: why says %q; say how it helps instead", n.ID, b)
			}
		}
	}
}

// A year of weekly team prompts without a repeat, covering every topic.
func TestTeamPromptsForAYear(t *testing.T) {
	lib := loadTest(t)
	if got := len(lib.TeamPrompts); got < 52 {
		t.Errorf("%d team prompts, want at least 52", got)
	}
	covered := map[string]bool{}
	for _, p := range lib.TeamPrompts {
		covered[p.Topic] = true
	}
	for _, topic := range lib.Topics {
		if !covered[topic.ID] {
			t.Errorf("no team prompt for topic %s", topic.ID)
		}
	}
}

// The first 90 days: their phases by day.
func TestPhaseOn(t *testing.T) {
	for _, c := range []struct {
		day  int
		want string
	}{{-5, PhaseArrive}, {0, PhaseArrive}, {27, PhaseArrive}, {28, PhaseHandOff}, {55, PhaseHandOff},
		{56, PhaseLead}, {89, PhaseLead}, {90, ""}, {400, ""}} {
		if got := PhaseOn(c.day); got != c.want {
			t.Errorf("PhaseOn(%d) = %q, want %q", c.day, got, c.want)
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
