package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

// docs/season.md is what `leadbot season` prints: regenerate it with
// `go run ./cmd/leadbot season > docs/season.md` when the rule or the
// nudges change.
func TestSeasonDocUpToDate(t *testing.T) {
	want, err := os.ReadFile("../../docs/season.md")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"leadbot", "season"}, func(string) string { return "" }, &out, &out); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Error("docs/season.md is out of date: go run ./cmd/leadbot season > docs/season.md")
	}
}

func TestSeasonFlags(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"leadbot", "season", "--former-peers", "--weeks", "4"}, func(string) string { return "" }, &out, &out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"who leads their former peers", "Over 4 weeks", "Reset expectations with a former peer"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("season --former-peers lacks %q", want)
		}
	}
	for _, args := range [][]string{{"season", "--weeks", "0"}, {"season", "extra"}, {"season", "--nope"}} {
		if err := run(context.Background(), append([]string{"leadbot"}, args...), func(string) string { return "" }, &out, &out); err == nil {
			t.Errorf("%v: no error", args)
		} else if _, ok := err.(usageError); !ok {
			t.Errorf("%v: %v is not a usage error", args, err)
		}
	}
}
