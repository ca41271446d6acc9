// Package prompts holds Lead Coach's content: the tips answered by
// /lead-tip, the nudges sent to managers and the weekly team prompts, each
// written in our own words from one of the source articles and naming it.
// The content lives in embedded JSON files under data/, so adding a tip
// needs no code; Load validates every record.
package prompts

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
)

//go:embed data/*.json data/*.bin
var dataFiles embed.FS

// Article is one of the source articles the content paraphrases.
type Article struct {
	File  string `json:"file"`  // file name in the articles folder
	Title string `json:"title"` // the title to cite
}

// Source names the article a tip, nudge or team prompt is drawn from.
type Source struct {
	Title string `json:"title"`
	File  string `json:"file"`
}

// Topic is a subject a new manager asks about, such as delegation.
type Topic struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Summary string `json:"summary"`
	// Keywords are everyday words managers use for the topic that its
	// title and summary do not contain ("1:1", "deadline", "morale"). They
	// are only searched, never shown.
	Keywords []string `json:"keywords,omitempty"`
}

// Tip is one piece of advice answered by /lead-tip.
type Tip struct {
	ID     string   `json:"id"`
	Topic  string   `json:"topic"`          // primary topic id
	Also   []string `json:"also,omitempty"` // secondary topic ids
	Text   string   `json:"text"`
	Try    string   `json:"try,omitempty"` // one thing to do this week
	Source Source   `json:"source"`
	// Audience is empty for tips for managers, or AudienceAspiring for a
	// tip that only makes sense before becoming one ("tell your manager
	// you want to lead"): those are found by search but never offered
	// unasked.
	Audience string `json:"audience,omitempty"`
	// Questions are examples of what managers ask that this tip answers,
	// in their own words, from questions.json. They are only searched,
	// never shown.
	Questions []string `json:"-"`
}

// AudienceAspiring marks a tip for people who are not managers yet.
const AudienceAspiring = "aspiring"

// Nudge is a small challenge for the week, sent to a subscribed manager.
type Nudge struct {
	ID        string `json:"id"`
	Kind      string `json:"kind"` // e.g. delegate, ask-feedback, hard-conversation
	Title     string `json:"title"`
	Challenge string `json:"challenge"`
	Why       string `json:"why"` // how doing it helps
	Question  string `json:"question"`
	Topic     string `json:"topic"`
	// Phases are the parts of a manager's first 90 days the nudge fits
	// (PhaseArrive, PhaseHandOff, PhaseLead); after day 90 any nudge fits.
	Phases []string `json:"phases"`
	// Level is 1 for the smallest version of its kind, 2 for the usual
	// one and 3 for a harder one: a manager who keeps doing a kind moves up.
	Level int `json:"level"`
	// For is empty for every manager, or ForFormerPeers for a nudge only
	// for those who now lead their former teammates.
	For    string `json:"for,omitempty"`
	Source Source `json:"source"`
}

// The phases of a manager's first 90 days, after article 004's account of
// the move from expert to team lead to leader.
const (
	PhaseArrive  = "arrive"   // weeks 1–4: listening, first 1:1s, expectations
	PhaseHandOff = "hand-off" // weeks 5–8: delegation, feedback, stepping back
	PhaseLead    = "lead"     // weeks 9–13: hard conversations, priorities, strategy
)

// ProgrammeDays is the length of the first-90-days programme.
const ProgrammeDays = 90

// PhaseOn returns the phase of day of a manager's programme (day 0 is the
// day they became a manager), or "" after the programme. A day before 0
// (they start soon) is in the first phase.
func PhaseOn(day int) string {
	switch {
	case day < 28:
		return PhaseArrive
	case day < 56:
		return PhaseHandOff
	case day < ProgrammeDays:
		return PhaseLead
	}
	return ""
}

// CoreKinds are the three kinds of challenge the product is built around:
// a subscriber gets them more often than the others.
var CoreKinds = []string{"delegate", "ask-feedback", "hard-conversation"}

// IsCore reports whether kind is one of CoreKinds.
func IsCore(kind string) bool { return slices.Contains(CoreKinds, kind) }

// Fits reports whether n is for phase (any nudge fits "", the time after
// the programme).
func (n Nudge) Fits(phase string) bool { return phase == "" || slices.Contains(n.Phases, phase) }

// ForFormerPeers marks a nudge for managers who lead their former peers.
const ForFormerPeers = "former-peers"

// MaxLevel is the hardest nudge level.
const MaxLevel = 3

// TeamPrompt is a weekly question posted in a team channel.
type TeamPrompt struct {
	ID     string `json:"id"`
	Text   string `json:"text"`
	Topic  string `json:"topic"`
	Source Source `json:"source"`
}

// Library is the loaded, validated content with its search index. It is
// read-only after Load and safe for concurrent use.
type Library struct {
	Articles    []Article
	Topics      []Topic
	Tips        []Tip
	Nudges      []Nudge
	TeamPrompts []TeamPrompt

	// Asked are questions as managers type them, labelled with the topics
	// that answer them (topic_questions.json), or with none for questions
	// that are not about leading people: the classifier learns from them,
	// together with the tips and their example questions.
	Asked []Asked

	topicIndex map[string]int
	tipIndex   map[string]int
	nudgeIndex map[string]int
	search     *index
	classify   *classifier
	managers   []Tip // the tips for managers, in library order
}

// Asked is a question labelled with the topics a mentor would accept as
// answering it, best first.
type Asked struct {
	Q      string   `json:"q"`
	Topics []string `json:"topics"`
}

// Load reads the embedded content. It returns an error if any record is
// invalid; the tests make sure the shipped content never is.
func Load() (*Library, error) {
	sub, err := fs.Sub(dataFiles, "data")
	if err != nil {
		return nil, err
	}
	return LoadFS(sub)
}

// LoadFS reads content from fsys, which holds articles.json, topics.json,
// tips.json, questions.json, topic_questions.json, nudges.json,
// team_prompts.json and synonyms.json. It returns
// an error naming the file and record for the first problems found.
func LoadFS(fsys fs.FS) (*Library, error) {
	lib := &Library{}
	files := []struct {
		name string
		dst  any
	}{
		{"articles.json", &lib.Articles},
		{"topics.json", &lib.Topics},
		{"tips.json", &lib.Tips},
		{"nudges.json", &lib.Nudges},
		{"team_prompts.json", &lib.TeamPrompts},
		{"topic_questions.json", &lib.Asked},
	}
	for _, f := range files {
		if err := readJSON(fsys, f.name, f.dst); err != nil {
			return nil, err
		}
	}
	var syn map[string][]string
	if err := readJSON(fsys, "synonyms.json", &syn); err != nil {
		return nil, err
	}
	var questions map[string][]string
	if err := readJSON(fsys, "questions.json", &questions); err != nil {
		return nil, err
	}
	for i := range lib.Tips {
		lib.Tips[i].Questions = questions[lib.Tips[i].ID]
	}
	if err := lib.validateQuestions(questions); err != nil {
		return nil, err
	}
	if err := lib.validate(); err != nil {
		return nil, err
	}
	lib.topicIndex = indexBy(lib.Topics, func(t Topic) string { return t.ID })
	lib.tipIndex = indexBy(lib.Tips, func(t Tip) string { return t.ID })
	lib.nudgeIndex = indexBy(lib.Nudges, func(n Nudge) string { return n.ID })
	lib.search = newIndex(lib, syn)
	synBytes, err := fs.ReadFile(fsys, "synonyms.json")
	if err != nil {
		return nil, err
	}
	lib.classify = loadClassifier(fsys, lib.search, len(lib.Topics), lib.examples(), synBytes)
	for _, t := range lib.Tips {
		if t.Audience == "" {
			lib.managers = append(lib.managers, t)
		}
	}
	return lib, nil
}

// ManagerTips returns the tips to offer someone who did not ask for
// anything in particular (a tip without words, the tip of the day): every
// tip except those for people not yet managing. Callers must not modify
// the slice.
func (l *Library) ManagerTips() []Tip { return l.managers }

func readJSON(fsys fs.FS, name string, dst any) error {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	if err := json.Unmarshal(b, dst); err != nil {
		return fmt.Errorf("parse %s: %w", name, err)
	}
	return nil
}

func indexBy[T any](items []T, key func(T) string) map[string]int {
	m := make(map[string]int, len(items))
	for i, it := range items {
		m[key(it)] = i
	}
	return m
}

// Topic returns the topic with id, and false if there is none.
func (l *Library) Topic(id string) (Topic, bool) {
	i, ok := l.topicIndex[id]
	if !ok {
		return Topic{}, false
	}
	return l.Topics[i], true
}

// Tip returns the tip with id, and false if there is none.
func (l *Library) Tip(id string) (Tip, bool) {
	i, ok := l.tipIndex[id]
	if !ok {
		return Tip{}, false
	}
	return l.Tips[i], true
}

// Nudge returns the nudge with id, and false if there is none.
func (l *Library) Nudge(id string) (Nudge, bool) {
	i, ok := l.nudgeIndex[id]
	if !ok {
		return Nudge{}, false
	}
	return l.Nudges[i], true
}

// TopicTips returns the tips whose primary topic is id, in library order.
func (l *Library) TopicTips(id string) []Tip {
	var out []Tip
	for _, t := range l.Tips {
		if t.Topic == id {
			out = append(out, t)
		}
	}
	return out
}

// examples are the labelled texts the topic classifier learns from: each
// topic's own words, each tip with the topics it answers, each tip's
// example questions, and the labelled questions in Asked.
func (l *Library) examples() []example {
	var out []example
	for i, t := range l.Topics {
		out = append(out, example{text: topicText(t), topics: []int{i}, weight: 1})
	}
	for _, t := range l.Tips {
		topics := []int{l.topicIndex[t.Topic]}
		for _, also := range t.Also {
			topics = append(topics, l.topicIndex[also])
		}
		out = append(out, example{text: t.Text + " " + t.Try, topics: topics, weight: 1})
		for _, q := range t.Questions {
			out = append(out, example{text: q, topics: topics[:1], weight: 1})
		}
	}
	for _, a := range l.Asked {
		var topics []int
		for _, id := range a.Topics {
			topics = append(topics, l.topicIndex[id])
		}
		out = append(out, example{text: a.Q, topics: topics, weight: 1})
	}
	return out
}
