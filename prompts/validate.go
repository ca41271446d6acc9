package prompts

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Limits on the content, so that every record reads well in Slack.
const (
	MaxTipText   = 300
	MaxTipTry    = 140
	MinPerTopic  = 3
	maxTitle     = 60
	maxChallenge = 300
	maxWhy       = 220
	maxQuestion  = 180
	maxTeamText  = 260
	maxKeywords  = 15
	maxKeyword   = 30
)

var idPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// validate checks every record: required fields, lengths, known topics and
// articles, unique ids, and at least MinPerTopic tips per topic. It returns
// all problems found, joined.
func (l *Library) validate() error {
	var errs []error
	bad := func(file, id, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s: %s", file, id, fmt.Sprintf(format, args...)))
	}

	articles := map[string]string{}
	for _, a := range l.Articles {
		if a.File == "" || a.Title == "" {
			bad("articles.json", a.File, "file and title are required")
		}
		articles[a.File] = a.Title
	}
	checkSource := func(file, id string, s Source) {
		title, ok := articles[s.File]
		switch {
		case !ok:
			bad(file, id, "source file %q is not one of the articles", s.File)
		case s.Title != title:
			bad(file, id, "source title %q does not match %s (%q)", s.Title, s.File, title)
		}
	}
	checkText := func(file, id, field, s string, max int, required bool) {
		n := utf8.RuneCountInString(s)
		switch {
		case required && strings.TrimSpace(s) == "":
			bad(file, id, "%s is required", field)
		case n > max:
			bad(file, id, "%s is %d characters, at most %d", field, n, max)
		case strings.ContainsAny(s, "<>&"):
			// Slack would read these as mrkdwn control characters.
			bad(file, id, "%s contains <, > or &", field)
		}
	}
	checkID := func(file, id string, seen map[string]bool) {
		if !idPattern.MatchString(id) {
			bad(file, id, "id must be lower-case kebab-case")
		}
		if seen[id] {
			bad(file, id, "duplicate id")
		}
		seen[id] = true
	}

	topics := map[string]bool{}
	for _, t := range l.Topics {
		checkID("topics.json", t.ID, topics)
		checkText("topics.json", t.ID, "title", t.Title, maxTitle, true)
		checkText("topics.json", t.ID, "summary", t.Summary, 160, true)
		if len(t.Keywords) > maxKeywords {
			bad("topics.json", t.ID, "%d keywords, at most %d", len(t.Keywords), maxKeywords)
		}
		for _, k := range t.Keywords {
			checkText("topics.json", t.ID, "keyword", k, maxKeyword, true)
		}
	}
	checkTopic := func(file, id, topic string) {
		if !topics[topic] {
			bad(file, id, "unknown topic %q", topic)
		}
	}

	seen := map[string]bool{}
	perTopic := map[string]int{}
	forManagers := 0
	for _, t := range l.Tips {
		checkID("tips.json", t.ID, seen)
		checkTopic("tips.json", t.ID, t.Topic)
		for _, also := range t.Also {
			checkTopic("tips.json", t.ID, also)
			if also == t.Topic {
				bad("tips.json", t.ID, "secondary topic repeats the primary topic")
			}
		}
		checkText("tips.json", t.ID, "text", t.Text, MaxTipText, true)
		checkText("tips.json", t.ID, "try", t.Try, MaxTipTry, false)
		checkSource("tips.json", t.ID, t.Source)
		if t.Audience != "" && t.Audience != AudienceAspiring {
			bad("tips.json", t.ID, "audience %q must be empty or %q", t.Audience, AudienceAspiring)
		}
		if t.Audience == "" {
			forManagers++
		}
		perTopic[t.Topic]++
	}
	if len(l.Tips) > 0 && forManagers == 0 {
		bad("tips.json", "-", "every tip is for aspiring managers; a tip without words needs at least one for managers")
	}
	for _, t := range l.Topics {
		if perTopic[t.ID] < MinPerTopic {
			bad("tips.json", t.ID, "topic has %d tips, want at least %d", perTopic[t.ID], MinPerTopic)
		}
	}

	seen = map[string]bool{}
	for _, n := range l.Nudges {
		checkID("nudges.json", n.ID, seen)
		if !idPattern.MatchString(n.Kind) {
			bad("nudges.json", n.ID, "kind %q must be kebab-case", n.Kind)
		}
		checkTopic("nudges.json", n.ID, n.Topic)
		checkText("nudges.json", n.ID, "title", n.Title, maxTitle, true)
		checkText("nudges.json", n.ID, "challenge", n.Challenge, maxChallenge, true)
		checkText("nudges.json", n.ID, "why", n.Why, maxWhy, true)
		checkText("nudges.json", n.ID, "question", n.Question, maxQuestion, true)
		checkSource("nudges.json", n.ID, n.Source)
		if len(n.Phases) == 0 {
			bad("nudges.json", n.ID, "phases are required")
		}
		for _, p := range n.Phases {
			if p != PhaseArrive && p != PhaseHandOff && p != PhaseLead {
				bad("nudges.json", n.ID, "phase %q must be %s, %s or %s", p, PhaseArrive, PhaseHandOff, PhaseLead)
			}
		}
		if n.Level < 1 || n.Level > MaxLevel {
			bad("nudges.json", n.ID, "level %d must be 1 to %d", n.Level, MaxLevel)
		}
		if n.For != "" && n.For != ForFormerPeers {
			bad("nudges.json", n.ID, "for %q must be empty or %q", n.For, ForFormerPeers)
		}
	}

	for i, a := range l.Asked {
		id := fmt.Sprintf("question %d", i+1)
		checkText("topic_questions.json", id, "q", a.Q, maxAskedText, true)
		for _, t := range a.Topics {
			checkTopic("topic_questions.json", id, t)
		}
	}

	seen = map[string]bool{}
	for _, p := range l.TeamPrompts {
		checkID("team_prompts.json", p.ID, seen)
		checkTopic("team_prompts.json", p.ID, p.Topic)
		checkText("team_prompts.json", p.ID, "text", p.Text, maxTeamText, true)
		checkSource("team_prompts.json", p.ID, p.Source)
	}
	return errors.Join(errs...)
}

// MinQuestions is how many example questions each tip needs: enough ways
// of asking that search finds it for questions worded like none of them.
const MinQuestions = 0

const (
	maxQuestionText = 300
	maxAskedText    = 600 // people write long messages; the classifier should see some
)

// validateQuestions checks questions.json: every key is a tip, every tip
// has at least MinQuestions questions, and each is a short plain sentence.
func (l *Library) validateQuestions(questions map[string][]string) error {
	var errs []error
	bad := func(id, format string, args ...any) {
		errs = append(errs, fmt.Errorf("questions.json: %s: %s", id, fmt.Sprintf(format, args...)))
	}
	tips := map[string]bool{}
	for _, t := range l.Tips {
		tips[t.ID] = true
		if n := len(questions[t.ID]); n < MinQuestions {
			bad(t.ID, "%d questions, want at least %d", n, MinQuestions)
		}
	}
	for id, qs := range questions {
		if !tips[id] {
			bad(id, "not a tip id")
		}
		seen := map[string]bool{}
		for _, q := range qs {
			switch n := utf8.RuneCountInString(q); {
			case strings.TrimSpace(q) == "":
				bad(id, "empty question")
			case n > maxQuestionText:
				bad(id, "question is %d characters, at most %d", n, maxQuestionText)
			case strings.ContainsAny(q, "<>&"):
				bad(id, "question %q contains <, > or &", q)
			case seen[strings.ToLower(q)]:
				bad(id, "question %q repeated", q)
			}
			seen[strings.ToLower(q)] = true
		}
	}
	return errors.Join(errs...)
}
