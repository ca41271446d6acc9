package prompts

import (
	"encoding/json"
	"os"
	"path/filepath"
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
	// Search still finds them.
	found := false
	for _, r := range lib.Search("how do I tell my manager I want to become a team lead", 5) {
		if r.Tip.Audience == AudienceAspiring {
			found = true
		}
	}
	if !found {
		t.Error("a question from someone who wants to become a manager finds no tip for them")
	}
}

func TestValidateRejectsBadRecords(t *testing.T) {
	good := func() *Library {
		lib := loadTest(t)
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

type labelledQuery struct {
	Q      string   `json:"q"`
	Topics []string `json:"topics"`
}

// Labelled question sets.
//
// queries.json holds every question the search has been developed
// against: the first 118, then three sets written as held-out checks and,
// once their misses had been studied, folded in. The 90% top-1 bar is on
// this set.
//
// queries_unseen.json was written and labelled after all tuning, in the
// words managers use in public forum titles, and has never shaped the
// synonyms or weights: it is the honest estimate of how the search does on
// new questions. Keep it that way: a question that must work goes into
// queries.json, and the next round of tuning starts with a new unseen set,
// scored once before anything is changed.
const (
	tunedQueries  = "queries.json"
	unseenQueries = "queries_unseen.json"
)

func loadQueries(t testing.TB, name string) []labelledQuery {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var qs []labelledQuery
	if err := json.Unmarshal(b, &qs); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return qs
}

// accuracy answers every labelled question and counts how often the topic
// of the tip returned is one a mentor would accept (top-1, the tip
// /lead-tip shows) and how often one of the three best-scored tips has such
// a topic (top-3). It logs every top-1 miss.
func accuracy(t *testing.T, lib *Library, qs []labelledQuery) (top1, top3 float64) {
	t.Helper()
	var n1, n3 int
	for _, q := range qs {
		ok := map[string]bool{}
		for _, tp := range q.Topics {
			if _, known := lib.Topic(tp); !known {
				t.Errorf("query %q labelled with unknown topic %q", q.Q, tp)
			}
			ok[tp] = true
		}
		a := lib.Answer(q.Q, nil)
		if a.Matched && ok[a.Tip.Topic] {
			n1++
		} else {
			t.Logf("miss: %-60q got %s (matched=%v), want %v", q.Q, a.Tip.Topic, a.Matched, q.Topics)
		}
		hit3 := false
		if lib.search.topicFor(lib.search.tokens(q.Q, nil)) != "" {
			hit3 = ok[a.Tip.Topic]
		}
		for _, r := range lib.Search(q.Q, 3) {
			hit3 = hit3 || ok[r.Tip.Topic]
		}
		if hit3 {
			n3++
		}
	}
	return 100 * float64(n1) / float64(len(qs)), 100 * float64(n3) / float64(len(qs))
}

// TestAccuracy checks the answers to the labelled questions. Top-1 on the
// tuned set must stay at 90% or more. The unseen set is only reported:
// if it falls far below the tuned set
// (under 75%), the synonyms and weights fit the tuned questions rather than
// how managers talk, and should be made more general.
func TestAccuracy(t *testing.T) {
	lib := loadTest(t)
	tuned := loadQueries(t, tunedQueries)
	if len(tuned) < 60 {
		t.Fatalf("%d labelled queries, want at least 60", len(tuned))
	}
	p1, p3 := accuracy(t, lib, tuned)
	t.Logf("accuracy over %d tuned queries: top-1 %.1f%%, top-3 %.1f%%", len(tuned), p1, p3)
	if p1 < 90 {
		t.Errorf("top-1 accuracy %.1f%%, want at least 90%%", p1)
	}

	unseen := loadQueries(t, unseenQueries)
	u1, u3 := accuracy(t, lib, unseen)
	t.Logf("accuracy over %d unseen queries (%s): top-1 %.1f%%, top-3 %.1f%%", len(unseen), unseenQueries, u1, u3)
}

func TestAnswer(t *testing.T) {
	lib := loadTest(t)
	tests := []struct {
		query     string
		wantTopic string
		matched   bool
	}{
		{"delegation", "delegation", true},
		{"Time Management", "time-management", true},
		{"emotional intelligence", "emotional-intelligence", true},
		{"Hard conversation", "hard-conversations", true},
		// delegation-stop-fixing-bugs is about exactly this.
		{"I keep fixing my team's bugs myself", "delegation", true},
		{"two of my engineers argue in every review", "conflict", true},
		{"how do I explain tech debt to my VP", "communication", true},
		// British and American spellings find the same tips.
		{"how do I prioritise my week", "time-management", true},
		{"how do I prioritize my week", "time-management", true},
		// Nothing, or only common words, matched: a general tip.
		{"zebra quantum banana", "mindset", false},
		{"asdf", "mindset", false},
		{"what's for lunch", "mindset", false},
		{"my team", "mindset", false},
		{"", "mindset", false},
		{"   ", "mindset", false},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			a := lib.Answer(tt.query, nil)
			if a.Matched != tt.matched || a.Tip.Topic != tt.wantTopic {
				t.Errorf("Answer(%q) = topic %s matched %v, want %s matched %v", tt.query, a.Tip.Topic, a.Matched, tt.wantTopic, tt.matched)
			}
			if a.Tip.Text == "" || a.Topic.ID != a.Tip.Topic {
				t.Errorf("Answer(%q) = %+v: empty tip or topic mismatch", tt.query, a)
			}
			if !tt.matched && len(a.Suggestions) == 0 {
				t.Errorf("Answer(%q): no topic suggestions when nothing matched", tt.query)
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

// BenchmarkSearch answers the tuned questions in turn; the target is well
// under 50µs per answer on one core.
func BenchmarkSearch(b *testing.B) {
	lib := loadTest(b)
	qs := loadQueries(b, tunedQueries)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		lib.Answer(qs[i%len(qs)].Q, nil)
	}
}
