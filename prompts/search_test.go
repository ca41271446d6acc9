package prompts

import (
	"encoding/json"
	"io/fs"
	"slices"
	"strings"
	"testing"
)

func TestTokenize(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"My 1:1s with the team's leads", []string{"oneonon", "team", "lead"}},
		{"1-1 or 1on1?", []string{"oneonon", "oneonon"}},
		{"P&L", []string{"pnl"}},
		{"hands-on work", []string{"handson", "work"}},
		{"I don't know", nil},
		{"it's really  urgent!!", []string{"urgent"}},
		{"Prioritise, prioritize", []string{"priorit", "priorit"}},
		{"organisation organization", []string{"organ", "organ"}},
		{"behaviour behavior", []string{"behavior", "behavior"}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if got := tokenize(tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("tokenize(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestAmericanSpelling(t *testing.T) {
	tests := map[string]string{
		"prioritise":   "prioritize",
		"prioritising": "prioritizing",
		"organisation": "organization",
		"recognised":   "recognized",
		"behaviours":   "behaviors",
		"judgement":    "judgment",
		// Left alone: not a listed root, or not one of its endings.
		"exercise": "exercise",
		"promise":  "promise",
		"organism": "organism",
		"emphasis": "emphasis",
		"hour":     "hour",
	}
	for in, want := range tests {
		if got := americanSpelling(in); got != want {
			t.Errorf("americanSpelling(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestQueryTerms checks how synonym phrases weight a query: a phrase is
// found across stop and filler words, its expansion is added, and the
// typed words inside a multi-word phrase count less than other typed words.
func TestQueryTerms(t *testing.T) {
	lib := loadTest(t)
	ix := lib.search
	weights := func(q string) map[string]float64 {
		names := make(map[int32]string, len(ix.terms))
		for s, id := range ix.terms {
			names[id] = s
		}
		m := map[string]float64{}
		toks := ix.tokens(q, nil)
		for _, qt := range ix.queryTerms(toks, ix.matchPhrases(toks, nil), nil) {
			m[names[qt.id]] = qt.w
		}
		return m
	}
	tests := []struct {
		query string
		want  map[string]float64 // stem → weight; 0 means absent
	}{
		{"he has checked out lately", map[string]float64{"check": weightPhrasePart, "motiv": weightExpansion}},
		{"my skip level", map[string]float64{"skip": weightPhrasePart, "upper": weightExpansion}},
		{"is management even for me", map[string]float64{"career": weightExpansion}},
		{"morale", map[string]float64{"moral": 1, "motiv": weightExpansion}},
		// "staff meeting" is one phrase: "staff" is not expanded on its own
		// (to the staff engineer career track).
		{"weekly staff meeting", map[string]float64{"week": 1, "staff": weightPhrasePart, "meet": weightExpansion, "career": 0}},
		{"asdf", map[string]float64{"asdf": 0}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			got := weights(tt.query)
			for stem, w := range tt.want {
				if got[stem] != w {
					t.Errorf("weight of %q = %v, want %v (all: %v)", stem, got[stem], w, got)
				}
			}
		})
	}
}

// TestSynonyms keeps the synonym table honest: every phrase can match a
// query, every expansion word occurs in the library (otherwise it does
// nothing), and no phrase is a whole labelled question, which would only
// memorise the test set. Short labelled questions ("pip", "scope creep")
// are ordinary vocabulary and may appear.
func TestSynonyms(t *testing.T) {
	lib := loadTest(t)
	b, err := fs.ReadFile(dataFiles, "data/synonyms.json")
	if err != nil {
		t.Fatal(err)
	}
	var syn map[string][]string
	if err := json.Unmarshal(b, &syn); err != nil {
		t.Fatal(err)
	}
	questions := map[string]string{}
	for _, name := range append(tuningSets, heldOutSet) {
		for _, q := range loadQueries(t, name) {
			if len(strings.Fields(q.Q)) >= 4 {
				questions[phraseKey(q.Q)] = q.Q
			}
		}
	}
	for phrase, exps := range syn {
		key := phraseKey(phrase)
		if key == "" || strings.Count(key, " ") >= maxSynonymPhrase {
			t.Errorf("phrase %q: normalised to %q, want 1 to %d words", phrase, key, maxSynonymPhrase)
		}
		if q, ok := questions[key]; ok {
			t.Errorf("phrase %q is the labelled question %q", phrase, q)
		}
		if len(exps) == 0 {
			t.Errorf("phrase %q has no expansion", phrase)
		}
		for _, e := range exps {
			for _, stem := range tokenize(e) {
				if _, ok := lib.search.terms[stem]; !ok {
					t.Errorf("phrase %q: expansion %q: %q is in no tip or topic", phrase, e, stem)
				}
			}
		}
	}
}

func TestTopicKeywords(t *testing.T) {
	lib := loadTest(t)
	for _, tp := range lib.Topics {
		if n := len(tp.Keywords); n < 5 || n > 15 {
			t.Errorf("topic %s has %d keywords, want 5 to 15", tp.ID, n)
		}
	}
}

// TestSearchConcurrent runs searches from several goroutines, for the race
// detector: the index must be read-only after Load.
func TestSearchConcurrent(t *testing.T) {
	lib := loadTest(t)
	qs := loadSets(t, tuningSets...)
	done := make(chan struct{})
	for g := range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := g; i < len(qs); i += 4 {
				lib.Answer(qs[i].Q, nil)
			}
		}()
	}
	for range 4 {
		<-done
	}
}

// TestStemOverrides checks that words Snowball would merge with an
// unrelated word keep a stem of their own.
func TestStemOverrides(t *testing.T) {
	pairs := [][2]string{
		{"busy", "business"}, {"developer", "develop"}, {"productive", "product"},
		{"terminal", "termination"}, {"lateral", "later"}, {"slacking", "slack"},
	}
	for _, p := range pairs {
		if a, b := newToken(p[0]).stem, newToken(p[1]).stem; a == b {
			t.Errorf("%q and %q both stem to %q", p[0], p[1], a)
		}
	}
}
