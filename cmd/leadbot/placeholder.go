package main

import (
	"strings"
	"unicode"
)

// isPlaceholder reports whether rest, a token after its prefix, is an
// obvious placeholder rather than a token: empty or only x's and
// punctuation ("...", "xxxx-xxxx"), an ellipsis, a <name> in angle
// brackets, or a one-case word holding "your", "token", "changeme",
// "example" or "placeholder" ("xoxb-your-bot-token", "xapp-CHANGEME").
// Real tokens are digits, and letters in mixed case or hex, so none has
// such a word; short made-up tokens such as "dev" or "test" pass, for the
// fake Slack takes them.
func isPlaceholder(rest string) bool {
	if strings.Contains(rest, "...") || strings.ContainsAny(rest, "…<>") {
		return true
	}
	if !strings.ContainsFunc(rest, func(r rune) bool {
		return (unicode.IsLetter(r) || unicode.IsDigit(r)) && r != 'x' && r != 'X'
	}) {
		return true
	}
	for _, word := range strings.FieldsFunc(rest, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		lower := strings.ToLower(word)
		if word != lower && word != strings.ToUpper(word) {
			continue // mixed case: a real token's random part
		}
		for _, p := range [...]string{"your", "token", "changeme", "example", "placeholder"} {
			if strings.Contains(lower, p) {
				return true
			}
		}
	}
	return false
}
