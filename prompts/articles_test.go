package prompts

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

// articlesEnv names the folder holding the source articles. They are not
// part of this repository, so the tests that read them run only when it is
// set; .ci/run sets it to ../shared/articles.
const articlesEnv = "LEADBOT_ARTICLES"

// copiedRun is the length, in words, of a run shared with an article that
// counts as pasted rather than paraphrased.
const copiedRun = 8

// articlesDir returns the folder of the source articles, or skips the test
// with a message saying how to run it.
func articlesDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv(articlesEnv)
	if dir == "" {
		t.Skipf("%s is not set: set it to the folder of the source articles (for example ../shared/articles) to check the content against them", articlesEnv)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("%s=%s: %v", articlesEnv, dir, err)
	}
	return dir
}

// TestSourcesExist checks that every cited article is one of the real
// source files.
func TestSourcesExist(t *testing.T) {
	dir := articlesDir(t)
	lib := loadTest(t)
	for _, a := range lib.Articles {
		if _, err := os.Stat(filepath.Join(dir, a.File)); err != nil {
			t.Errorf("article %s: %v", a.File, err)
		}
	}
}

// TestNoCopiedRuns checks that no tip, nudge or team prompt shares a run of
// copiedRun or more consecutive words with any article: everything is
// written in our own words.
func TestNoCopiedRuns(t *testing.T) {
	dir := articlesDir(t)
	lib := loadTest(t)
	runs := map[string]string{} // copiedRun words → article file
	for _, a := range lib.Articles {
		b, err := os.ReadFile(filepath.Join(dir, a.File))
		if err != nil {
			t.Fatal(err)
		}
		w := plainWords(string(b))
		for i := 0; i+copiedRun <= len(w); i++ {
			runs[strings.Join(w[i:i+copiedRun], " ")] = a.File
		}
	}
	// The check itself must see a pasted sentence through changes of case
	// and punctuation.
	if run, _ := copiedIn(runs, "Intro: TRANSITIONING from a technical role to IT-management is a significant career step!"); run == "" {
		t.Fatal("a sentence pasted from article 001 was not detected")
	}
	for _, c := range contentTexts(lib) {
		if run, file := copiedIn(runs, c.text); run != "" {
			t.Errorf("%s shares %d words with %s: %q", c.name, copiedRun, file, run)
		}
	}
}

// copiedIn returns the first run of copiedRun words of text found in runs,
// and the article it is from, or "" if there is none.
func copiedIn(runs map[string]string, text string) (run, file string) {
	w := plainWords(text)
	for i := 0; i+copiedRun <= len(w); i++ {
		run := strings.Join(w[i:i+copiedRun], " ")
		if file, ok := runs[run]; ok {
			return run, file
		}
	}
	return "", ""
}

type namedText struct{ name, text string }

// contentTexts returns every text the bot shows that is drawn from an
// article.
func contentTexts(lib *Library) []namedText {
	var out []namedText
	for _, t := range lib.Tips {
		out = append(out, namedText{"tip " + t.ID, t.Text}, namedText{"tip " + t.ID + " try", t.Try})
	}
	for _, n := range lib.Nudges {
		for field, s := range map[string]string{"title": n.Title, "challenge": n.Challenge, "why": n.Why, "question": n.Question} {
			out = append(out, namedText{fmt.Sprintf("nudge %s %s", n.ID, field), s})
		}
	}
	for _, p := range lib.TeamPrompts {
		out = append(out, namedText{"team prompt " + p.ID, p.Text})
	}
	return out
}

// plainWords lower-cases text and splits it into words of letters and
// digits, so that punctuation and curly quotes do not hide a copied run.
func plainWords(text string) []string {
	return strings.FieldsFunc(strings.ToLower(strings.ReplaceAll(text, "\u2019", "'")), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\''
	})
}
