package prompts

// minScore is the tip score below which a search counts as "nothing matched
// well". Scores are sums of BM25 term weights, which are in units of
// inverse document frequency: a word found in one or two tips is worth
// about 4, one found in half of them under 1. So 2.0 asks for at least one
// fairly specific word, typed or reached through a synonym, rather than a
// stray common word ("team", "work") or nothing at all ("what's for
// lunch"). It was checked against every labelled set in testdata: of 282
// labelled questions one falls below it ("should a manager still be on
// call", where only "manager" says anything), the next lowest scores about
// 3.5, and the nonsense queries in TestAnswer all score under 1.5.
const minScore = 2.0

// secondTipWeight is how much a topic's second best tip adds to its best
// one when topics are compared. One tip can match a question through a
// word it mentions in passing; a topic whose several tips all match is the
// surer answer. The second tip counts at a discount so that a topic is not
// favoured merely for having many tips, and only two count for the same
// reason. Crediting the topics a tip lists as secondary ("also") was tried
// and did not help: those links are already in the index, at
// weightAlsoTopic.
const secondTipWeight = 0.5

// unseenRatio is how close to the best tip of the chosen topic an unseen
// tip must score to be preferred over it.
const unseenRatio = 0.7

// Answer is the reply to a /lead-tip question.
type Answer struct {
	Tip   Tip
	Topic Topic
	// Matched is false when nothing in the library matched the question
	// well; Tip is then a good general tip and Suggestions lists topics the
	// user could ask about instead.
	Matched     bool
	Suggestions []Topic
}

// Answer returns the best tip for query: a topic name ("delegation",
// "time management") gives a tip of that topic; anything else is searched,
// the best topic is chosen (see bestTopic) and its best-matching tip is
// returned. seen reports tips the user has already been shown, so that
// among tips that fit about equally well a new one is preferred; it may be
// nil. When nothing matches well, Matched is false and the answer is a
// general tip with suggested topics.
func (l *Library) Answer(query string, seen func(id string) bool) Answer {
	if seen == nil {
		seen = func(string) bool { return false }
	}
	var tokBuf [maxQueryTokens]token
	toks := l.search.tokens(query, tokBuf[:0])
	if id := l.search.topicFor(toks); id != "" {
		return l.topicAnswer(id, "", seen)
	}
	scores := make([]float64, l.search.nDocs)
	l.search.score(toks, scores)
	topic, ok := l.bestTopic(scores)
	if !ok {
		return l.fallback(seen)
	}
	// The chosen topic's best tip scores above zero: its topic score is at
	// least the top tip's score.
	best := -1
	for d, s := range scores {
		if int(l.search.docTopic[d]) == topic && s > 0 && (best < 0 || s > scores[best]) {
			best = d
		}
	}
	// Prefer a tip not seen yet if it fits nearly as well. Ties go to the
	// tip listed first.
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
	return Answer{Tip: l.Tips[best], Topic: l.Topics[topic], Matched: true}
}

// bestTopic returns the index in l.Topics of the topic the tip scores point
// at, and false if no tip scored at least minScore. A topic's score is its
// best tip's score plus secondTipWeight times its second best; ties go to
// the topic listed first.
func (l *Library) bestTopic(scores []float64) (int, bool) {
	var buf [64][2]float64 // per topic: best and second best tip score
	agg := buf[:0]
	if l.search.nTopics > len(buf) {
		agg = make([][2]float64, 0, l.search.nTopics)
	}
	agg = agg[:l.search.nTopics]
	top := 0.0
	for d, s := range scores {
		top = max(top, s)
		a := &agg[l.search.docTopic[d]]
		switch {
		case s > a[0]:
			a[0], a[1] = s, a[0]
		case s > a[1]:
			a[1] = s
		}
	}
	if top < minScore {
		return 0, false
	}
	best, bestScore := 0, -1.0
	for t, a := range agg {
		if s := a[0] + secondTipWeight*a[1]; s > bestScore {
			best, bestScore = t, s
		}
	}
	return best, true
}

// Another returns a tip of topic other than the tip with id except,
// preferring one not seen yet. It returns false if the topic is unknown.
func (l *Library) Another(topic, except string, seen func(id string) bool) (Answer, bool) {
	if _, ok := l.Topic(topic); !ok {
		return Answer{}, false
	}
	if seen == nil {
		seen = func(string) bool { return false }
	}
	return l.topicAnswer(topic, except, seen), true
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
	return Answer{Tip: tips[pick], Topic: t, Matched: true}
}

// generalTopics are offered when a question matched nothing: the topics
// most new managers ask about first.
var generalTopics = []string{"delegation", "feedback", "hard-conversations", "communication", "time-management", "career-path"}

// fallback answers a question that matched nothing: a tip about the core
// shift of the new role, and a few topics to ask about instead.
func (l *Library) fallback(seen func(string) bool) Answer {
	a := l.topicAnswer("mindset", "", seen)
	a.Matched = false
	for _, id := range generalTopics {
		if t, ok := l.Topic(id); ok {
			a.Suggestions = append(a.Suggestions, t)
		}
	}
	return a
}
