package prompts

import (
	"strings"
	"unicode"

	"github.com/kljensen/snowball/english"
)

// minTokenLen drops one-letter words ("i", "a"); they carry no topic and
// would only make synonym phrases harder to match.
const minTokenLen = 2

// token is one word after normalising: its Snowball stem, and whether it is
// a stop word. Stop words are not scored, but they do take part in synonym
// phrases, where they often carry the meaning: "say no", "one on one",
// "do it myself", "checked out".
type token struct {
	stem string
	stop bool
}

// forEachWord lower-cases text, folds the shapes managers type that would
// otherwise be lost or misread ("1:1" and "1-1" become "oneonone", "p&l"
// becomes "pnl", "hands-on" and "on-call" become one word rather than
// "hands" and "call", curly apostrophes become straight ones) and calls fn
// with each word of at least minTokenLen characters that is not a filler
// word, apostrophes removed.
func forEachWord(text string, fn func(w string)) {
	text = strings.ToLower(text)
	// The replacer always allocates, so only run it when one of its
	// patterns can be present.
	if strings.ContainsAny(text, ":-&\u2019") || strings.Contains(text, "1on1") {
		text = typedShapes.Replace(text)
	}
	prev := ""
	emit := func(w string) {
		w = cleanWord(w)
		// "own" after a possessive ("my own work") adds nothing; as a verb
		// ("who should own the release") it is about ownership.
		if w == "own" && possessives[prev] {
			return
		}
		if len(w) >= minTokenLen && !fillerWords[w] {
			fn(w)
		}
		prev = w
	}
	start := -1
	for i, r := range text {
		inWord := unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\''
		switch {
		case inWord && start < 0:
			start = i
		case !inWord && start >= 0:
			emit(text[start:i])
			start = -1
		}
	}
	if start >= 0 {
		emit(text[start:])
	}
}

// cleanWord removes apostrophes: "team's" becomes "team", "don't" "dont".
func cleanWord(w string) string {
	w = strings.Trim(w, "'")
	if i := strings.IndexByte(w, '\''); i >= 0 {
		if w[i+1:] == "s" {
			return w[:i]
		}
		return strings.ReplaceAll(w, "'", "")
	}
	return w
}

var possessives = map[string]bool{"my": true, "your": true, "his": true, "her": true, "their": true, "our": true, "its": true}

var typedShapes = strings.NewReplacer(
	"1:1s", " oneonone ", "1:1", " oneonone ",
	"1-1s", " oneonone ", "1-1", " oneonone ",
	"1on1s", " oneonone ", "1on1", " oneonone ",
	"p&l", " pnl ",
	"hands-on", " handson ", "go-to", " goto ", "on-call", " oncall ",
	"\u2019", "'",
)

// newToken normalises one word: British spellings are folded to American
// ones, because the tips are written in British English and many managers
// type American ("prioritize", "recognize"), and Snowball stems the two
// differently; then the word is stemmed.
func newToken(w string) token {
	if stem, ok := stemOverrides[w]; ok {
		return token{stem: stem, stop: stopWords[w]}
	}
	return token{stem: english.Stem(americanSpelling(w), true), stop: stopWords[w]}
}

// stemOverrides are words Snowball would give the same stem as an
// unrelated word in our content: "busy" and "business" both become "busi",
// "developer" and "develop" "develop", "productive" and "product"
// "product", "terminal" and "termination" "termin", "lateral" and "later"
// "later", "slacking" and "slack" (the chat tool) "slack". Each such word
// gets a stem of its own.
var stemOverrides = map[string]string{
	"busy": "busy", "busier": "busy",
	"developer": "developer", "developers": "developer",
	"productive": "productiv", "productivity": "productiv", "unproductive": "unproductiv",
	"terminal": "terminal", "terminals": "terminal",
	"lateral":   "lateral",
	"wellness":  "wellness",
	"direction": "direction", "directions": "direction",
	"personal": "personal",
	"slacking": "slacking", "slacker": "slacking", "slackers": "slacking",
}

// tokenize returns the stems of the words of text that are not stop words.
// It is used when building the index; queries go through index.tokens,
// which also keeps stop words for phrase matching.
func tokenize(text string) []string {
	var out []string
	forEachWord(text, func(w string) {
		if t := newToken(w); !t.stop {
			out = append(out, t.stem)
		}
	})
	return out
}

// phraseKey is how a synonym phrase is looked up: the stems of all its
// words, stop words included, joined by single spaces.
func phraseKey(text string) string {
	var b strings.Builder
	forEachWord(text, func(w string) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(newToken(w).stem)
	})
	return b.String()
}

// americanSpelling folds the British forms that matter for search:
// -ise/-isation verbs and -our nouns. Only listed roots are folded, with
// the endings they take, so words such as "exercise", "promise", "hour" or
// "organism" are left alone.
func americanSpelling(w string) string {
	for _, r := range britishRoots {
		if !strings.HasPrefix(w, r) {
			continue
		}
		rest := w[len(r):]
		for _, end := range britishEndings {
			if rest == end {
				return r[:len(r)-1] + "z" + rest
			}
		}
	}
	for _, p := range britishWords {
		if w == p[0] {
			return p[1]
		}
		if strings.HasPrefix(w, p[0]) && (w[len(p[0]):] == "s" || w[len(p[0]):] == "ed" || w[len(p[0]):] == "ing") {
			return p[1] + w[len(p[0]):]
		}
	}
	return w
}

// britishRoots end in the "s" that American English spells "z".
var britishRoots = []string{
	"apologis", "authoris", "categoris", "centralis", "criticis", "customis",
	"emphasis", "energis", "finalis", "formalis", "incentivis", "maximis",
	"memoris", "minimis", "mobilis", "normalis", "optimis", "organis",
	"personalis", "prioritis", "realis", "recognis", "scrutinis", "socialis",
	"specialis", "standardis", "strategis", "summaris", "sympathis",
	"synchronis", "utilis", "visualis",
}

// britishEndings are the endings a root in britishRoots takes. "emphasis"
// itself, a noun in both spellings, has the empty ending and is not
// folded.
var britishEndings = []string{"e", "es", "ed", "ing", "ation", "ations", "er", "ers"}

// britishWords are whole words spelt differently, British first.
var britishWords = [][2]string{
	{"behaviour", "behavior"}, {"behavioural", "behavioral"}, {"favour", "favor"},
	{"favourite", "favorite"}, {"honour", "honor"}, {"humour", "humor"},
	{"labour", "labor"}, {"colour", "color"}, {"neighbour", "neighbor"},
	{"centre", "center"}, {"programme", "program"}, {"judgement", "judgment"},
	{"practise", "practice"}, {"analyse", "analyze"}, {"licence", "license"},
	{"defence", "defense"}, {"offence", "offense"}, {"catalogue", "catalog"},
}

// stopWords are not scored: they carry no topic. Words that do carry one in
// a manager's question are deliberately absent: "why", "say", "wrong",
// "time", "late", "every". Stop words still count inside synonym phrases,
// which is where "no" and "bad" matter ("say no", "bad news"); alone they
// mislead ("is that bad?"). "oncall" names a duty that comes up in every
// topic, so it points at none.
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a about above after again against all am an and any are aren't as at be
		because been before being below between both but by can could did do does doing don't down during each
		few for from further had has have having he her here hers herself him himself his how i i'm if in into is
		it it's its itself just let's me more most my myself nor not of off on once only or other ought our
		ours ourselves out over same she should so some such than that that's the their theirs them
		themselves then there these they this those through to too under until up very was we were what when
		where which while who whom with would you your yours yourself yourselves im ive id dont doesnt
		cant wont isnt arent didnt hasnt havent wasnt werent shouldnt couldnt wouldnt get got getting keep keeps
		really also still even much many lot lots thing things like just way ways make makes go going want
		wants need needs know one ones tip tips help advice please anyone someone something everyone
		everything anything always never ever sure gonna wanna yet now ok okay no yes nobody none anymore
		bad oncall`) {
		m[w] = true
	}
	return m
}()

// fillerWords are dropped before anything else, even from synonym
// phrases, so that "is management even for me" still contains the phrase
// "management for me".
var fillerWords = map[string]bool{
	"even": true, "really": true, "actually": true, "just": true, "very": true,
	"quite": true, "totally": true, "literally": true,
	"honestly": true, "basically": true, "kinda": true, "sorta": true,
	"super": true,
}
