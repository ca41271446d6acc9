package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"text/tabwriter"

	"github.com/leadcoach/leadbot/prompts"
)

// tipCommand prints the tip /lead-tip would answer for the words given, or
// a random tip without words. With --json (before or after the words) it
// prints one JSON object.
func tipCommand(args []string, stdout io.Writer) error {
	const usage = "usage: leadbot tip [--json] [QUERY]"
	fs := flag.NewFlagSet("tip", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	asJSON := fs.Bool("json", false, "print the answer as one JSON object")
	words, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stdout, usage)
			return nil
		}
		return usageError{"tip: " + err.Error() + " (" + usage + ")"}
	}
	lib, err := prompts.Load()
	if err != nil {
		return fmt.Errorf("load content: %w", err)
	}
	query := strings.Join(words, " ")
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
		return printTipJSON(stdout, a)
	}
	alts := topicIDs(a.Alternatives)
	if !a.Matched {
		fmt.Fprintln(stdout, "Not sure: no tip fits those words well.")
		fmt.Fprintf(stdout, "Closest topics: %s (ask with: leadbot tip TOPIC; all of them: leadbot topics)\n", strings.Join(alts, ", "))
		return nil
	}
	fmt.Fprintln(stdout, wrap(a.Tip.Text, 72))
	if a.Tip.Try != "" {
		fmt.Fprintln(stdout)
		fmt.Fprintln(stdout, wrap("Try this week: "+a.Tip.Try, 72))
	}
	fmt.Fprintln(stdout)
	fmt.Fprintf(stdout, "  %s · from %q\n", a.Topic.Title, a.Tip.Source.Title)
	if len(alts) > 0 {
		fmt.Fprintf(stdout, "  Not quite? Try: %s\n", strings.Join(alts, ", "))
	}
	return nil
}

// printTipJSON prints an answer as one JSON object: the tip's fields when
// one matched, and always whether one did, the score and the alternative
// topics, best first.
func printTipJSON(w io.Writer, a prompts.Answer) error {
	out := struct {
		ID           string          `json:"id,omitempty"`
		Topic        string          `json:"topic,omitempty"`
		Text         string          `json:"text,omitempty"`
		Try          string          `json:"try,omitempty"`
		Source       *prompts.Source `json:"source,omitempty"`
		Matched      bool            `json:"matched"`
		Score        float64         `json:"score"`
		Alternatives []string        `json:"alternatives"`
	}{Matched: a.Matched, Score: math.Round(a.Score*100) / 100, Alternatives: topicIDs(a.Alternatives)}
	if a.Matched {
		out.ID, out.Topic, out.Text, out.Try, out.Source = a.Tip.ID, a.Tip.Topic, a.Tip.Text, a.Tip.Try, &a.Tip.Source
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func topicIDs(topics []prompts.Topic) []string {
	ids := []string{}
	for _, t := range topics {
		ids = append(ids, t.ID)
	}
	return ids
}

// parseInterspersed parses the flags in args wherever they stand ("tip
// delegation --json" as well as "tip --json delegation") and returns the
// other arguments in order. After "--" everything is an argument.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var words []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(words, rest...), nil
		}
		if len(rest) == 0 {
			return words, nil
		}
		words = append(words, rest[0])
		args = rest[1:]
	}
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
