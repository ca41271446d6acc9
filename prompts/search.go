package prompts

import (
	"math"
	"sort"
	"strings"
)

// BM25 parameters: the usual defaults. k1 limits how much a repeated word
// counts; b how much long tips are discounted.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// Field weights. A tip is indexed as its own text and "try" line plus the
// id, title, summary and keywords of its topics. Its primary topic counts
// double: it says what the tip is about more surely than any one word of
// the text, and its keywords carry the everyday words ("pip", "deadline",
// "morale") that a short tip cannot all repeat. A secondary topic ("also")
// counts half: the tip touches it but is not mainly about it, and at full
// weight tips won questions meant for their secondary topic.
const (
	weightText      = 1.0
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
	vocab    map[string]token   // every word in the content → its token
	terms    map[string]int32   // stem → term id
	postings [][]posting        // by term id
	synonyms map[string][]qterm // phrase key (see phraseKey) → expansion
	topics   map[string]string  // normalised topic id or title → topic id
	docTopic []int32            // tip → index of its topic in Library.Topics
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

// Result is a tip found by Search, with its relevance score.
type Result struct {
	Tip   Tip
	Score float64
}

func newIndex(lib *Library, synonyms map[string][]string) *index {
	ix := &index{
		vocab:    map[string]token{},
		terms:    map[string]int32{},
		synonyms: map[string][]qterm{},
		topics:   map[string]string{},
		nDocs:    len(lib.Tips),
		docTopic: make([]int32, len(lib.Tips)),
		nTopics:  len(lib.Topics),
	}
	// learn records the token of every word of the content, so that at
	// query time only words the library has never seen need stemming.
	learn := func(text string) {
		forEachWord(text, func(w string) {
			if _, ok := ix.vocab[w]; !ok {
				ix.vocab[w] = newToken(w)
			}
		})
	}

	topicNum := map[string]int32{}
	topicText := map[string]string{}
	for i, t := range lib.Topics {
		topicNum[t.ID] = int32(i)
		topicText[t.ID] = strings.ReplaceAll(t.ID, "-", " ") + " " + t.Title + " " + t.Summary + " " + strings.Join(t.Keywords, " ")
		ix.topics[normalizePhrase(t.ID)] = t.ID
		ix.topics[normalizePhrase(t.Title)] = t.ID
		learn(topicText[t.ID])
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
		add(topicText[tip.Topic], weightTopic)
		for _, also := range tip.Also {
			add(topicText[also], weightAlsoTopic)
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
		for _, e := range exps {
			learn(e)
			for _, stem := range tokenize(e) {
				if id, ok := ix.terms[stem]; ok {
					ix.synonyms[key] = addTerm(ix.synonyms[key], id, weightExpansion)
				}
			}
		}
		if _, ok := ix.synonyms[key]; !ok {
			// Keep the key even if no expansion word is in the library, so
			// that it still marks its words as one phrase.
			ix.synonyms[key] = []qterm{}
		}
	}
	for _, exps := range ix.synonyms {
		sort.Slice(exps, func(i, j int) bool { return exps[i].id < exps[j].id })
	}
	return ix
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
// seen in the content are looked up; only new words are stemmed.
func (ix *index) tokens(query string, buf []token) []token {
	forEachWord(query, func(w string) {
		if len(buf) >= maxQueryTokens {
			return
		}
		t, ok := ix.vocab[w]
		if !ok {
			t = newToken(w)
		}
		buf = append(buf, t)
	})
	return buf
}

// queryTerms turns query tokens into weighted terms: the non-stop words
// typed, plus the expansions of synonym phrases. Phrases are matched
// greedily, longest first, left to right, over all the words including
// stop words, so "say no" or "one on one" are found, and a word that
// starts a longer phrase ("staff meeting") is not also expanded on its own
// ("staff", as in staff engineer).
func (ix *index) queryTerms(toks []token, terms []qterm) []qterm {
	var covered [maxQueryTokens]bool
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
			exps, ok := ix.synonyms[string(k)]
			if !ok {
				continue
			}
			for _, e := range exps {
				terms = addTerm(terms, e.id, e.w)
			}
			if n > 1 {
				for j := i; j < i+n; j++ {
					covered[j] = true
				}
			}
			break
		}
		i += max(n, 1)
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

// score sets scores[d] to the BM25 score of tip d for the query tokens.
// scores must have one entry per tip.
func (ix *index) score(toks []token, scores []float64) {
	clear(scores)
	var termBuf [32]qterm
	for _, qt := range ix.queryTerms(toks, termBuf[:0]) {
		for _, p := range ix.postings[qt.id] {
			scores[p.doc] += qt.w * p.w
		}
	}
}

// Search returns up to n tips ranked by relevance to query, best first.
// Tips that share no word with the query (after stemming and synonyms) are
// not returned, so the result may be empty.
func (l *Library) Search(query string, n int) []Result {
	var tokBuf [maxQueryTokens]token
	scores := make([]float64, l.search.nDocs)
	l.search.score(l.search.tokens(query, tokBuf[:0]), scores)
	var out []Result
	for d, s := range scores {
		if s > 0 {
			out = append(out, Result{Tip: l.Tips[d], Score: s})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].Tip.ID < out[j].Tip.ID
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
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
