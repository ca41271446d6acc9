package prompts

import "sort"

// minConfidence is the probability the classifier must give the best
// topic for the answer to be a tip; below it, or when "none of the
// topics" is likelier, the answer is "not sure" and offers the closest
// topics. It is chosen on the tuning sets, labelled and off-topic
// (TestTuningAccuracy): from 0.2 upwards each step turns more right
// answers than wrong ones into "not sure".
const minConfidence = 0.2

// unseenRatio is how close to the best tip of the chosen topic an unseen
// tip must score to be preferred over it.
const unseenRatio = 0.7

// maxAlternatives is how many other topics an answer offers.
const maxAlternatives = 3

// Answer is the reply to a /lead-tip question.
type Answer struct {
	// Tip and Topic are the answer. Both are zero when Matched is false.
	Tip   Tip
	Topic Topic
	// Matched is false when no topic fits the question well enough: the
	// caller says so and offers Alternatives rather than a tip.
	Matched bool
	// Score is the classifier's probability, from 0 to 1, that the best
	// topic is the one asked about: 0 when no word of the question is
	// known, at least minConfidence when Matched, 1 for a topic's name.
	Score float64
	// Alternatives are other topics to try, best first, at most
	// maxAlternatives: for a matched answer the next best fits, otherwise
	// the closest topics to the question (or the ones most new managers
	// start with, when nothing was close).
	Alternatives []Topic
}

// topicScore is a topic's fit to a question.
type topicScore struct {
	topic int // index in Library.Topics
	score float64
}

// Answer returns the best tip for query: a topic name ("delegation",
// "time management") gives a tip of that topic; anything else goes to the
// classifier, and if it is confident enough about a topic, the tip of that
// topic that best fits the words is returned (BM25 over the tips and their
// example questions). seen reports tips the user has already been shown, so
// that among tips that fit about equally well a new one is preferred; it
// may be nil. When no topic is likely enough, Matched is false and only
// Alternatives are set.
func (l *Library) Answer(query string, seen func(id string) bool) Answer {
	if seen == nil {
		seen = func(string) bool { return false }
	}
	var tokBuf [maxQueryTokens]token
	var phraseBuf [maxQueryTokens]phrase
	toks := l.search.tokens(query, tokBuf[:0])
	phrases := l.search.matchPhrases(toks, phraseBuf[:0])
	ranked, none, known := l.rankTopics(toks, phrases)

	if id := l.search.topicFor(toks); id != "" {
		a := l.topicAnswer(id, "", seen)
		a.Score = 1
		a.Alternatives = l.alternatives(ranked, l.topicIndex[id])
		return a
	}
	best := ranked[0]
	if !known || best.score < minConfidence || none > best.score {
		a := Answer{Alternatives: l.alternatives(ranked, -1)}
		if known {
			a.Score = best.score
		} else {
			a.Alternatives = l.alternatives(nil, -1)
		}
		return a
	}
	scores := make([]float64, l.search.nDocs)
	l.search.score(toks, phrases, scores)
	var a Answer
	if pick := l.bestTip(best.topic, scores, seen); pick >= 0 {
		a = Answer{Tip: l.Tips[pick], Topic: l.Topics[best.topic], Matched: true}
	} else { // no tip of the topic shares a word with the question
		a = l.topicAnswer(l.Topics[best.topic].ID, "", seen)
	}
	a.Score = best.score
	a.Alternatives = l.alternatives(ranked, best.topic)
	return a
}

// rankTopics returns every topic with the classifier's probability for
// it, best first (ties go to the topic listed first), the probability that
// the question is about none of them, and whether any feature of the
// question was known to the classifier at all.
func (l *Library) rankTopics(toks []token, phrases []phrase) (ranked []topicScore, none float64, known bool) {
	var fbuf [4 * maxQueryTokens]feature
	fs := l.search.features(toks, phrases, l.classify.lookup, fbuf[:0])
	p := make([]float64, l.classify.topics)
	l.classify.probabilities(fs, p)
	ranked = make([]topicScore, len(l.Topics)) // the last class, none of them, is apart
	for t := range ranked {
		ranked[t] = topicScore{t, p[t]}
	}
	sort.SliceStable(ranked, func(i, j int) bool { return ranked[i].score > ranked[j].score })
	return ranked, p[len(l.Topics)], len(fs) > 0
}

// bestTip returns the tip of topic that best fits the BM25 scores,
// preferring one not seen yet if it fits nearly as well, or -1 if no tip of
// the topic scored above zero. Ties go to the tip listed first.
func (l *Library) bestTip(topic int, scores []float64, seen func(string) bool) int {
	best := -1
	for d, s := range scores {
		if int(l.search.docTopic[d]) == topic && s > 0 && (best < 0 || s > scores[best]) {
			best = d
		}
	}
	if best < 0 {
		return -1
	}
	if seen(l.Tips[best].ID) {
		alt := -1
		for d, s := range scores {
			if int(l.search.docTopic[d]) == topic && !seen(l.Tips[d].ID) && s >= unseenRatio*scores[best] && (alt < 0 || s > scores[alt]) {
				alt = d
			}
		}
		if alt >= 0 {
			best = alt
		}
	}
	return best
}

// alternatives returns the first maxAlternatives topics of ranked other
// than except (an index in l.Topics, or -1). With fewer than two of those
// (ranked is nil when the question had no word the classifier knows), it
// adds topics most new managers ask about first.
func (l *Library) alternatives(ranked []topicScore, except int) []Topic {
	var out []Topic
	has := map[string]bool{}
	for _, r := range ranked {
		if len(out) == maxAlternatives {
			break
		}
		if r.topic != except {
			out = append(out, l.Topics[r.topic])
			has[l.Topics[r.topic].ID] = true
		}
	}
	for _, id := range generalTopics {
		if len(out) >= 2 {
			break
		}
		if t, ok := l.Topic(id); ok && !has[id] && (except < 0 || l.Topics[except].ID != id) {
			out = append(out, t)
			has[id] = true
		}
	}
	return out
}

// Another returns a tip of topic other than the tip with id except,
// preferring one not seen yet, with the topics the tip also touches as
// alternatives. It returns false if the topic is unknown.
func (l *Library) Another(topic, except string, seen func(id string) bool) (Answer, bool) {
	if _, ok := l.Topic(topic); !ok {
		return Answer{}, false
	}
	if seen == nil {
		seen = func(string) bool { return false }
	}
	a := l.topicAnswer(topic, except, seen)
	for _, id := range a.Tip.Also {
		if t, ok := l.Topic(id); ok {
			a.Alternatives = append(a.Alternatives, t)
		}
	}
	return a, true
}

func (l *Library) topicAnswer(topic, except string, seen func(string) bool) Answer {
	tips := l.TopicTips(topic)
	pick := -1
	for i, t := range tips {
		if t.ID == except {
			continue
		}
		if pick < 0 {
			pick = i
		}
		if !seen(t.ID) {
			pick = i
			break
		}
	}
	if pick < 0 { // the topic has only the excepted tip
		pick = 0
	}
	t, _ := l.Topic(topic)
	return Answer{Tip: tips[pick], Topic: t, Matched: true, Score: 1}
}

// generalTopics are offered when a question was close to nothing: the
// topics most new managers ask about first.
var generalTopics = []string{"delegation", "feedback", "hard-conversations", "communication", "time-management", "career-path"}
