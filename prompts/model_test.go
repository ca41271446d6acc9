package prompts

import (
	"bytes"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "write data/classifier.bin again from the content")

// TestModelUpToDate trains the classifier on the content and checks that
// data/classifier.bin is exactly that model, so that what ships is what
// the content teaches. With -update it writes the file.
func TestModelUpToDate(t *testing.T) {
	lib := loadTest(t)
	syn, err := fs.ReadFile(dataFiles, "data/synonyms.json")
	if err != nil {
		t.Fatal(err)
	}
	examples := lib.examples()
	fresh := newClassifier(lib.search, len(lib.Topics), examples, defaultTraining)
	want := encodeModel(fresh, trainingHash(examples, syn, defaultTraining))
	path := filepath.Join("data", modelFile)
	if *update {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is out of date with the content: run go test ./prompts -run TestModelUpToDate -update", path)
	}
}

// TestModelRoundTrip checks that a stored model answers as the trained
// one does on every labelled tuning question, and that a damaged file is
// refused rather than misread.
func TestModelRoundTrip(t *testing.T) {
	lib := loadTest(t)
	examples := lib.examples()
	fresh := newClassifier(lib.search, len(lib.Topics), examples, defaultTraining)
	data := encodeModel(fresh, [32]byte{1})
	stored, hash, err := decodeModel(data)
	if err != nil || hash != [32]byte{1} {
		t.Fatalf("decode: %v, hash %x", err, hash[:4])
	}
	p, q := make([]float64, fresh.topics), make([]float64, stored.topics)
	changed := 0
	qs := loadSets(t, tuningSets...)
	for _, lq := range qs {
		toks := lib.search.tokens(lq.Q, nil)
		phrases := lib.search.matchPhrases(toks, nil)
		fresh.probabilities(lib.search.features(toks, phrases, fresh.lookup, nil), p)
		stored.probabilities(lib.search.features(toks, phrases, stored.lookup, nil), q)
		if argmax(p) != argmax(q) {
			changed++
		}
	}
	if changed > 0 {
		t.Errorf("the stored model answers %d of %d questions differently", changed, len(qs))
	}
	for _, bad := range [][]byte{nil, []byte("nonsense"), data[:len(data)/2], append(append([]byte{}, data...), 0)} {
		if _, _, err := decodeModel(bad); err == nil {
			t.Errorf("a damaged model of %d bytes was read", len(bad))
		}
	}
}

func argmax(p []float64) int {
	best := 0
	for i, v := range p {
		if v > p[best] {
			best = i
		}
	}
	return best
}
