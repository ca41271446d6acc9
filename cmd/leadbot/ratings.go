package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/leadcoach/leadbot/prompts"
)

// ratingsCommand lists the tips people rated with the Helpful? buttons,
// the ones with the largest share of 👎 first, so that content can be
// improved where it fails. It reads LEADBOT_DB and needs no Slack token.
func ratingsCommand(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	const usage = "usage: leadbot ratings [--top N]"
	fs := flag.NewFlagSet("ratings", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	top := fs.Int("top", 20, "how many tips to list (0: all)")
	words, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stdout, usage)
			return nil
		}
		return usageError{"ratings: " + err.Error() + " (" + usage + ")"}
	}
	if len(words) > 0 {
		return usageError{"ratings takes no arguments (" + usage + ")"}
	}
	path := getenv("LEADBOT_DB")
	if path == "" {
		path = "leadbot.db"
	}
	db, err := openDatabase(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()
	ratings, err := db.TipRatings(ctx)
	if err != nil {
		return err
	}
	if len(ratings) == 0 {
		fmt.Fprintln(stdout, "No tip has been rated yet: votes come from the Helpful? buttons under each tip.")
		return nil
	}
	lib, err := prompts.Load()
	if err != nil {
		return fmt.Errorf("load content: %w", err)
	}
	if *top > 0 && len(ratings) > *top {
		ratings = ratings[:*top]
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIP\tTOPIC\t👍\t👎\tUNHELPFUL")
	for _, r := range ratings {
		topic := "(no longer in the library)"
		if t, ok := lib.Tip(r.TipID); ok {
			topic = t.Topic
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%.0f%%\n", r.TipID, topic, r.Helpful, r.Unhelpful,
			100*float64(r.Unhelpful)/float64(r.Helpful+r.Unhelpful))
	}
	return tw.Flush()
}
