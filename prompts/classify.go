package prompts

import (
	"math"
)

// The topic classifier. A question is turned into features (see
// index.features): the stems of its words, pairs of neighbouring words
// ("let slide", "same room") and the words the synonym table adds. A
// multinomial logistic regression over those features gives each topic a
// probability. It learns, when the library loads, from every labelled text
// the library holds: the tips and their example questions, the topics'
// own words, and the questions in topic_questions.json. Learned weights,
// unlike BM25's inverse document frequency, count a word by how well it
// tells topics apart: "migration" in one example question is noise, "line
// by line" in many is micromanagement.

// trainConfig are the classifier's training settings. The defaults were
// chosen on the tuning sets (see TestTuningAccuracy).
type trainConfig struct {
	epochs int
	rate   float64 // initial learning rate; it decays as 1/(1+epoch·decay)
	decay  float64
	l2     float64 // weight decay per update
	// minCount is how many examples a feature must be in to be learned.
	minCount int
	// bestShare is the target probability of a labelled question's first
	// topic when it lists several acceptable ones; the rest is shared
	// among the others.
	bestShare float64
}

var defaultTraining = trainConfig{epochs: 12, rate: 0.5, decay: 0.1, l2: 1e-5, minCount: 2, bestShare: 0.7}

// example is a labelled text the classifier learns from.
type example struct {
	text   string
	topics []int // indexes into Library.Topics, best first
	weight float64
}

// feature is one feature of a text with its weight.
type feature struct {
	id int32
	w  float32
}

type classifier struct {
	ids     map[string]int32 // feature key → id
	weights []float32        // id*topics + topic
	bias    []float32
	topics  int // classes: the library's topics, then "none of them"
}

// newClassifier trains a classifier on examples, with features from ix.
// It has one class per topic and one more, the last, for questions about
// none of them (examples with no topics): "git merge conflict" is not about
// conflict at work.
func newClassifier(ix *index, nTopics int, examples []example, cfg trainConfig) *classifier {
	topics := nTopics + 1
	c := &classifier{ids: map[string]int32{}, topics: topics, bias: make([]float32, topics)}
	// Features seen in fewer than cfg.minCount examples are left out: a word
	// one person used once says little about the topic, and the model is
	// smaller without them.
	count := map[string]int{}
	seen := map[string]bool{}
	for _, ex := range examples {
		clear(seen)
		toks := ix.tokens(ex.text, nil)
		ix.features(toks, ix.matchPhrases(toks, nil), func(key string) (int32, bool) {
			if !seen[key] {
				seen[key] = true
				count[key]++
			}
			return 0, false
		}, nil)
	}
	keep := func(key string) (int32, bool) {
		if count[key] < cfg.minCount {
			return 0, false
		}
		return c.learn(key)
	}
	docs := make([][]feature, len(examples))
	for i, ex := range examples {
		toks := ix.tokens(ex.text, nil)
		docs[i] = ix.features(toks, ix.matchPhrases(toks, nil), keep, nil)
	}
	c.weights = make([]float32, len(c.ids)*topics)

	targets := make([][]float64, len(examples))
	for i, ex := range examples {
		t := make([]float64, topics)
		switch {
		case len(ex.topics) == 0:
			t[nTopics] = 1
		case len(ex.topics) == 1:
			t[ex.topics[0]] = 1
		default:
			t[ex.topics[0]] = cfg.bestShare
			for _, o := range ex.topics[1:] {
				t[o] += (1 - cfg.bestShare) / float64(len(ex.topics)-1)
			}
		}
		targets[i] = t
	}

	order := make([]int, len(examples))
	for i := range order {
		order[i] = i
	}
	rng := uint64(1) // a fixed seed: the same library always trains the same model
	p := make([]float64, topics)
	g := make([]float32, topics)
	for e := range cfg.epochs {
		for i := len(order) - 1; i > 0; i-- {
			rng = rng*6364136223846793005 + 1442695040888963407
			j := int(rng>>33) % (i + 1)
			order[i], order[j] = order[j], order[i]
		}
		rate := cfg.rate / (1 + float64(e)*cfg.decay)
		decay := float32(rate * cfg.l2)
		for _, d := range order {
			c.probabilities(docs[d], p)
			w := examples[d].weight
			for t := range topics {
				g[t] = float32(rate * w * (p[t] - targets[d][t]))
				c.bias[t] -= g[t]
			}
			for _, f := range docs[d] {
				row := c.weights[int(f.id)*topics : int(f.id+1)*topics]
				for t, gt := range g {
					row[t] -= gt*f.w + decay*row[t]
				}
			}
		}
	}
	return c
}

// learn returns the id of feature key, adding it if new (training only).
func (c *classifier) learn(key string) (int32, bool) {
	id, ok := c.ids[key]
	if !ok {
		id = int32(len(c.ids))
		c.ids[key] = id
	}
	return id, true
}

// lookup returns the id of a known feature (queries).
func (c *classifier) lookup(key string) (int32, bool) {
	id, ok := c.ids[key]
	return id, ok
}

// probabilities sets p to the probability of each topic for features fs.
func (c *classifier) probabilities(fs []feature, p []float64) {
	for t, b := range c.bias {
		p[t] = float64(b)
	}
	for _, f := range fs {
		row := c.weights[int(f.id)*c.topics : int(f.id+1)*c.topics]
		for t, w := range row {
			p[t] += float64(w * f.w)
		}
	}
	best := math.Inf(-1)
	for _, s := range p {
		best = max(best, s)
	}
	sum := 0.0
	for t := range p {
		p[t] = math.Exp(p[t] - best)
		sum += p[t]
	}
	for t := range p {
		p[t] /= sum
	}
}
