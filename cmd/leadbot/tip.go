package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"text/tabwriter"

	"github.com/leadcoach/leadbot/prompts"
)

// tipCommand prints the tip /lead-tip would answer for the words given, or
// a random tip without words. With --json it prints one JSON object.
func tipCommand(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("tip", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	asJSON := fs.Bool("json", false, "print the tip as one JSON object")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stdout, "usage: leadbot tip [--json] [QUERY]")
			return nil
		}
		return usageError{"tip: " + err.Error() + " (usage: leadbot tip [--json] [QUERY])"}
	}
	lib, err := prompts.Load()
	if err != nil {
		return fmt.Errorf("load content: %w", err)
	}
	query := strings.Join(fs.Args(), " ")
	var a prompts.Answer
	if strings.TrimSpace(query) == "" {
		tips := lib.ManagerTips() // as /lead-tip without words
		tip := tips[rand.IntN(len(tips))]
		t, _ := lib.Topic(tip.Topic)
		a = prompts.Answer{Tip: tip, Topic: t, Matched: true}
	} else {
		a = lib.Answer(query, nil)
	}

	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			ID      string         `json:"id"`
			Topic   string         `json:"topic"`
			Text    string         `json:"text"`
			Try     string         `json:"try,omitempty"`
			Source  prompts.Source `json:"source"`
			Matched bool           `json:"matched"`
		}{a.Tip.ID, a.Tip.Topic, a.Tip.Text, a.Tip.Try, a.Tip.Source, a.Matched})
	}
	if !a.Matched {
		fmt.Fprintln(stdout, "No tip fits those words well, so here is one that helps most new managers.")
		fmt.Fprintln(stdout)
	}
	fmt.Fprintln(stdout, wrap(a.Tip.Text, 72))
	if a.Tip.Try != "" {
		fmt.Fprintln(stdout)
		fmt.Fprintln(stdout, wrap("Try this week: "+a.Tip.Try, 72))
	}
	fmt.Fprintln(stdout)
	fmt.Fprintf(stdout, "  %s · from %q\n", a.Topic.Title, a.Tip.Source.Title)
	if len(a.Suggestions) > 0 {
		var ids []string
		for _, t := range a.Suggestions {
			ids = append(ids, t.ID)
		}
		fmt.Fprintf(stdout, "  Try a topic: %s (all of them: leadbot topics)\n", strings.Join(ids, ", "))
	}
	return nil
}

// topicsCommand lists the topics with their titles and summaries.
func topicsCommand(stdout io.Writer) error {
	lib, err := prompts.Load()
	if err != nil {
		return fmt.Errorf("load content: %w", err)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	for _, t := range lib.Topics {
		fmt.Fprintf(tw, "%s\t%s\t%d tips\n", t.ID, t.Summary, len(lib.TopicTips(t.ID)))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "\nAsk with: leadbot tip TOPIC, or leadbot tip \"your question\"")
	return nil
}

// wrap breaks text into lines of at most width characters, at spaces.
func wrap(text string, width int) string {
	var b strings.Builder
	n := 0
	for i, w := range strings.Fields(text) {
		if i > 0 && n+1+len(w) > width {
			b.WriteByte('\n')
			n = 0
		} else if i > 0 {
			b.WriteByte(' ')
			n++
		}
		b.WriteString(w)
		n += len(w)
	}
	return b.String()
}
