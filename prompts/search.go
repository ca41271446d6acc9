package prompts

import (
	"math"
	"slices"
	"sort"
	"strings"
)

// BM25 parameters: the usual defaults. k1 limits how much a repeated word
// counts; b how much long tips are discounted.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// Field weights. A tip is indexed as its own text and "try" line, the
// questions it answers (see Tip.Questions), plus the id, title, summary
// and keywords of its topics. Its primary topic counts
// double: it says what the tip is about more surely than any one word of
// the text, and its keywords carry the everyday words ("pip", "deadline",
// "morale") that a short tip cannot all repeat. A secondary topic ("also")
// counts half: the tip touches it but is not mainly about it, and at full
// weight tips won questions meant for their secondary topic.
//
// The questions carry the words managers use for the situations a tip
// answers ("wanted my job", "goes around me"), which the tip's own advice
// rarely repeats.
const (
	weightText      = 1.0
	weightQuestions = 1.0
	weightTopic     = 2.0
	weightAlsoTopic = 0.5
)

// Query term weights. A word the user typed counts fully. A word added by
// the synonym table counts less: it is our guess at what they meant. The
// typed words inside a matched multi-word phrase count less too, because
// the phrase is an idiom whose words mislead on their own ("checked out"
// is not about checking, "skip level" not about skipping); the phrase's
// expansion says what it means.
const (
	weightExpansion  = 0.6
	weightPhrasePart = 0.3
	maxQueryTokens   = 64 // words; the rest of a longer query is ignored
	maxSynonymPhrase = 5  // words, stop words included; longer keys are ignored
)

// index is a BM25F-lite index over the tips: each field's words are added
// to one weighted term frequency per tip, normalised by the tip's weighted
// length. Everything a query needs is precomputed, so scoring is a few map
// lookups and additions.
type index struct {
	vocab    map[string]token      // every word in the content → its token
	spell    *speller              // corrects words not in vocab
	terms    map[string]int32      // stem → term id
	postings [][]posting           // by term id
	synonyms map[string]*expansion // phrase key (see phraseKey) → what it adds
	extra    map[string]token      // words only the labelled questions use → token, resolved at load
	topics   map[string]string     // normalised topic id or title → topic id
	docTopic []int32               // tip → index of its topic in Library.Topics
	nDocs    int
	nTopics  int
}

// posting is a tip containing a term, with the term's full BM25 weight for
// that tip (idf × saturated, length-normalised tf), so a query only
// multiplies it by its own term weight.
type posting struct {
	doc int32
	w   float64
}

// qterm is a weighted query term.
type qterm struct {
	id int32
	w  float64
}

func newIndex(lib *Library, synonyms map[string][]string) *index {
	ix := &index{
		vocab:    map[string]token{},
		terms:    map[string]int32{},
		synonyms: map[string]*expansion{},
		extra:    map[string]token{},
		topics:   map[string]string{},
		nDocs:    len(lib.Tips),
		docTopic: make([]int32, len(lib.Tips)),
		nTopics:  len(lib.Topics),
	}
	// learn records the token of every word of the content, so that at
	// query time only words the library has never seen need stemming, and
	// counts the records each word is in, for the speller.
	freq := map[string]int{}
	learn := func(text string) {
		seen := map[string]bool{}
		forEachWord(text, func(w string) {
			if _, ok := ix.vocab[w]; !ok {
				ix.vocab[w] = newToken(w)
			}
			if !seen[w] {
				seen[w] = true
				freq[w]++
			}
		})
	}

	topicNum := map[string]int32{}
	topicWords := map[string]string{}
	for i, t := range lib.Topics {
		topicNum[t.ID] = int32(i)
		topicWords[t.ID] = topicText(t)
		ix.topics[normalizePhrase(t.ID)] = t.ID
		ix.topics[normalizePhrase(t.Title)] = t.ID
		learn(topicWords[t.ID])
	}

	tfs := make([]map[string]float64, len(lib.Tips))
	docLen := make([]float64, len(lib.Tips))
	var total float64
	for d, tip := range lib.Tips {
		tf := map[string]float64{}
		add := func(text string, w float64) {
			learn(text)
			for _, stem := range tokenize(text) {
				tf[stem] += w
				docLen[d] += w
			}
		}
		add(tip.Text, weightText)
		add(tip.Try, weightText)
		for _, q := range tip.Questions {
			add(q, weightQuestions)
		}
		add(topicWords[tip.Topic], weightTopic)
		for _, also := range tip.Also {
			add(topicWords[also], weightAlsoTopic)
		}
		tfs[d] = tf
		ix.docTopic[d] = topicNum[tip.Topic]
		total += docLen[d]
	}
	avgLen := 1.0
	if len(lib.Tips) > 0 {
		avgLen = total / float64(len(lib.Tips))
	}

	// Terms are numbered in sorted order so that scores, and ties between
	// them, do not depend on map iteration order.
	df := map[string]int{}
	for _, tf := range tfs {
		for stem := range tf {
			df[stem]++
		}
	}
	stems := make([]string, 0, len(df))
	for s := range df {
		stems = append(stems, s)
	}
	sort.Strings(stems)
	ix.postings = make([][]posting, len(stems))
	for i, s := range stems {
		ix.terms[s] = int32(i)
	}
	n := float64(len(lib.Tips))
	for d, tf := range tfs {
		norm := bm25K1 * (1 - bm25B + bm25B*docLen[d]/avgLen)
		for stem, f := range tf {
			id := ix.terms[stem]
			idf := math.Log(1 + (n-float64(df[stem])+0.5)/(float64(df[stem])+0.5))
			ix.postings[id] = append(ix.postings[id], posting{doc: int32(d), w: idf * f * (bm25K1 + 1) / (f + norm)})
		}
	}
	for _, ps := range ix.postings {
		sort.Slice(ps, func(i, j int) bool { return ps[i].doc < ps[j].doc })
	}

	for phrase, exps := range synonyms {
		learn(phrase)
		key := phraseKey(phrase)
		if key == "" || strings.Count(key, " ") >= maxSynonymPhrase {
			continue
		}
		// The key is kept even if no expansion word is in the library, so
		// that it still marks its words as one phrase.
		x := ix.synonyms[key]
		if x == nil {
			x = &expansion{}
			ix.synonyms[key] = x
		}
		for _, e := range exps {
			learn(e)
			for _, stem := range tokenize(e) {
				if id, ok := ix.terms[stem]; ok {
					x.terms = addTerm(x.terms, id, weightExpansion)
				}
				if !slices.Contains(x.stems, stem) {
					x.stems = append(x.stems, stem)
				}
			}
		}
	}
	for _, x := range ix.synonyms {
		// Two phrases may share a key: the order must not depend on the map's.
		sort.Slice(x.terms, func(i, j int) bool { return x.terms[i].id < x.terms[j].id })
		sort.Strings(x.stems)
	}
	ix.spell = newSpeller(freq)

	// The labelled questions use many words the library does not, some of
	// them typos: each is resolved once here, as a query's would be.
	for _, a := range lib.Asked {
		forEachWord(a.Q, func(w string) {
			if _, ok := ix.vocab[w]; !ok {
				ix.extra[w] = ix.resolve(w)
			}
		})
	}
	return ix
}

// expansion is what a synonym phrase adds to a query: BM25 terms, and
// stems for the classifier.
type expansion struct {
	terms []qterm
	stems []string
}

// phrase is a synonym phrase found in a query: n tokens from token i.
type phrase struct {
	i, n int
	x    *expansion
}

// topicText is what a topic says about itself: its id, title, summary and
// keywords.
func topicText(t Topic) string {
	return strings.ReplaceAll(t.ID, "-", " ") + " " + t.Title + " " + t.Summary + " " + strings.Join(t.Keywords, " ")
}

// addTerm adds term id with weight w to terms, keeping the larger weight if
// it is already there. Queries have a handful of terms, so a linear scan
// beats a map.
func addTerm(terms []qterm, id int32, w float64) []qterm {
	for i := range terms {
		if terms[i].id == id {
			terms[i].w = max(terms[i].w, w)
			return terms
		}
	}
	return append(terms, qterm{id, w})
}

// tokens appends the tokens of query to buf, up to maxQueryTokens. Words
// seen in the content are looked up; a new word is corrected to the
// library word one typo away if there is one (see speller), and otherwise
// stemmed.
func (ix *index) tokens(query string, buf []token) []token {
	forEachWord(query, func(w string) {
		if len(buf) >= maxQueryTokens {
			return
		}
		t, ok := ix.vocab[w]
		if !ok {
			t, ok = ix.extra[w]
		}
		if !ok {
			t = ix.resolve(w)
		}
		buf = append(buf, t)
	})
	return buf
}

// resolve returns the token of a word the library does not use: the
// library word one typo away, if there is one, or else the word stemmed.
func (ix *index) resolve(w string) token {
	if c := ix.spell.correct(w); c != "" {
		return ix.vocab[c]
	}
	return newToken(w)
}

// queryTerms turns query tokens into weighted terms: the non-stop words
// typed, plus the expansions of synonym phrases. Phrases are matched
// greedily, longest first, left to right, over all the words including
// stop words, so "say no" or "one on one" are found, and a word that
// starts a longer phrase ("staff meeting") is not also expanded on its own
// ("staff", as in staff engineer).
func (ix *index) queryTerms(toks []token, phrases []phrase, terms []qterm) []qterm {
	var covered [maxQueryTokens]bool
	for _, p := range phrases {
		for _, e := range p.x.terms {
			terms = addTerm(terms, e.id, e.w)
		}
		if p.n > 1 {
			for j := p.i; j < p.i+p.n; j++ {
				covered[j] = true
			}
		}
	}
	for i, t := range toks {
		if t.stop {
			continue
		}
		id, ok := ix.terms[t.stem]
		if !ok {
			continue
		}
		w := 1.0
		if covered[i] {
			w = weightPhrasePart
		}
		terms = addTerm(terms, id, w)
	}
	return terms
}

// matchPhrases appends to buf the synonym phrases in toks, found
// greedily, longest first, left to right, over all the words including
// stop words.
func (ix *index) matchPhrases(toks []token, buf []phrase) []phrase {
	var key [256]byte
	for i := 0; i < len(toks); {
		n := min(maxSynonymPhrase, len(toks)-i)
		for ; n >= 1; n-- {
			k := key[:0]
			for j, t := range toks[i : i+n] {
				if j > 0 {
					k = append(k, ' ')
				}
				k = append(k, t.stem...)
			}
			if x, ok := ix.synonyms[string(k)]; ok {
				buf = append(buf, phrase{i, n, x})
				break
			}
		}
		i += max(n, 1)
	}
	return buf
}

// features appends to buf the classifier features of toks, each mapped to
// an id by id (which reports false for a feature to leave out): the stem of
// every word that is not a stop word, every pair of neighbouring words of
// which at least one is not a stop word, and the stems a synonym phrase
// adds (at weightExpansion). The weights are scaled so that they add up,
// squared, to one: a long question is not more certain than a short one.
func (ix *index) features(toks []token, phrases []phrase, id func(key string) (int32, bool), buf []feature) []feature {
	add := func(key string, w float32) {
		f, ok := id(key)
		if !ok {
			return
		}
		for i := range buf {
			if buf[i].id == f {
				buf[i].w = max(buf[i].w, w)
				return
			}
		}
		buf = append(buf, feature{f, w})
	}
	start := len(buf)
	var pair [256]byte
	for i, t := range toks {
		if !t.stop {
			add(t.stem, 1)
		}
		if p, ok := persons[t.stem]; ok {
			add(p, 1)
		}
		if i > 0 && (!t.stop || !toks[i-1].stop) {
			k := append(append(append(pair[:0], toks[i-1].stem...), ' '), t.stem...)
			add(string(k), 1)
		}
	}
	for _, p := range phrases {
		for _, stem := range p.x.stems {
			add(stem, weightExpansion)
		}
	}
	var sum float32
	for _, f := range buf[start:] {
		sum += f.w * f.w
	}
	if sum > 0 {
		norm := float32(1 / math.Sqrt(float64(sum)))
		for i := range buf[start:] {
			buf[start+i].w *= norm
		}
	}
	return buf
}

// persons are the features pronouns add: who the question is about. "How
// do I tell a dev his reviews are rude" is about someone else's behaviour
// (feedback), "are my reviews rude" about one's own (self-awareness); the
// words around them are much the same.
var persons = map[string]string{
	"me": "@me", "my": "@me", "myself": "@me", "mine": "@me",
	"he": "@them", "him": "@them", "his": "@them", "she": "@them", "her": "@them", "hers": "@them",
	"they": "@them", "them": "@them", "their": "@them", "himself": "@them", "herself": "@them",
}

// score sets scores[d] to the BM25 score of tip d for the query tokens
// and the phrases found in them.
// scores must have one entry per tip.
func (ix *index) score(toks []token, phrases []phrase, scores []float64) {
	clear(scores)
	var termBuf [32]qterm
	for _, qt := range ix.queryTerms(toks, phrases, termBuf[:0]) {
		for _, p := range ix.postings[qt.id] {
			scores[p.doc] += qt.w * p.w
		}
	}
}

// topicFor returns the topic id whose id or title is exactly the query
// with tokens toks (after dropping stop words and stemming, so case,
// punctuation and plurals do not matter), or "".
func (ix *index) topicFor(toks []token) string {
	var key [256]byte
	k := key[:0]
	for _, t := range toks {
		if t.stop {
			continue
		}
		if len(k) > 0 {
			k = append(k, ' ')
		}
		k = append(k, t.stem...)
	}
	return ix.topics[string(k)]
}

func normalizePhrase(s string) string {
	return strings.Join(tokenize(s), " ")
}
