package prompts

import (
	"sort"
	"strings"
)

// Spelling tolerance. A word of a question that appears nowhere in the
// library ("delagate", "feedbak", "micromanger") is replaced by the
// library word one edit away from it: a letter added, dropped or changed,
// or two neighbours swapped. Only words of minSpellLen letters or more are
// corrected: shorter ones have too many neighbours ("team" and "tear").
// The correction must keep the first letter, which typists rarely get
// wrong, and among several candidates the one used in most records wins,
// so "tried" rather than "tired" is never chosen for a word that is in
// neither.
const minSpellLen = 5

// speller finds the library word nearest to an unknown one. It is built
// once and read-only after.
type speller struct {
	words []string           // candidates, by number
	freq  []int32            // how many records use each word
	dels  map[string][]int32 // word with one letter deleted → candidates
	known map[string]int32   // candidate → its number
}

func newSpeller(freq map[string]int) *speller {
	s := &speller{dels: map[string][]int32{}, known: map[string]int32{}}
	words := make([]string, 0, len(freq))
	for w := range freq {
		if len(w) >= minSpellLen-1 && isLetters(w) {
			words = append(words, w)
		}
	}
	sort.Strings(words) // candidate numbers, and so ties, do not depend on map order
	for i, w := range words {
		s.words = append(s.words, w)
		s.freq = append(s.freq, int32(freq[w]))
		s.known[w] = int32(i)
		for j := range len(w) {
			d := w[:j] + w[j+1:]
			s.dels[d] = append(s.dels[d], int32(i))
		}
	}
	return s
}

// correct returns the library word one edit from w, or "" if there is
// none or w is too short or not plain letters.
func (s *speller) correct(w string) string {
	if len(w) < minSpellLen || !isLetters(w) {
		return ""
	}
	best := int32(-1)
	consider := func(c int32) {
		v := s.words[c]
		if v[0] != w[0] || !oneEdit(w, v) {
			return
		}
		if best < 0 || s.freq[c] > s.freq[best] || (s.freq[c] == s.freq[best] && v < s.words[best]) {
			best = c
		}
	}
	// A letter dropped from w: w is in dels.
	for _, c := range s.dels[w] {
		consider(c)
	}
	for j := range len(w) {
		d := w[:j] + w[j+1:]
		// A letter added to w: the word is w without it.
		if c, ok := s.known[d]; ok {
			consider(c)
		}
		// A letter changed, or two swapped: both lose one letter to the
		// same string.
		for _, c := range s.dels[d] {
			consider(c)
		}
	}
	if best < 0 {
		return ""
	}
	return s.words[best]
}

// oneEdit reports whether a and b differ by exactly one insertion,
// deletion, substitution or transposition of neighbouring letters.
func oneEdit(a, b string) bool {
	if a == b {
		return false
	}
	if len(a) < len(b) {
		a, b = b, a
	}
	switch len(a) - len(b) {
	case 0:
		i := 0
		for i < len(a) && a[i] == b[i] {
			i++
		}
		if a[i+1:] == b[i+1:] {
			return true // one substitution
		}
		return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
	case 1:
		i := 0
		for i < len(b) && a[i] == b[i] {
			i++
		}
		return a[i+1:] == b[i:]
	}
	return false
}

func isLetters(w string) bool {
	return !strings.ContainsFunc(w, func(r rune) bool { return r < 'a' || r > 'z' })
}
