package main

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/leadcoach/leadbot/bot/slackfake"
)

// report is what one run measured.
type report struct {
	commands    int
	startup     time.Duration
	ack         []time.Duration // per acknowledged command
	tip         []time.Duration // per answered command
	noAck       int
	noAnswer    int
	redelivered int // acknowledged only after Slack's 3 s, on a retry
	rateLimited int
	peakRSS     int64
	botErrors   int
	botMetrics  map[string]string
	problems    []string
}

// collect matches what was sent with the fake's acks and answers.
func collect(fake *slackfake.Server, sent []sent) *report {
	r := &report{commands: len(sent)}
	acks := map[string]slackfake.Ack{}
	for _, a := range fake.Acks() {
		if _, ok := acks[a.EnvelopeID]; !ok {
			acks[a.EnvelopeID] = a
		}
	}
	answered := map[string]time.Time{}
	for _, p := range fake.ResponsePosts() {
		if _, ok := answered[p.Path]; !ok {
			answered[p.Path] = p.At
		}
	}
	for _, s := range sent {
		a, ok := acks[s.envelope]
		switch {
		case !ok:
			r.noAck++
		case a.Attempt > 0:
			r.redelivered++
			r.ack = append(r.ack, a.Latency)
		default:
			r.ack = append(r.ack, a.Latency)
		}
		if at, ok := answered[s.path]; ok {
			r.tip = append(r.tip, at.Sub(s.at))
		} else {
			r.noAnswer++
		}
	}
	return r
}

// percentile returns the p-th percentile (0 < p <= 100) of ds by the
// nearest-rank method, or 0 for no values. It sorts ds.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	rank := int(float64(len(ds))*p/100+0.999999999) - 1
	return ds[min(max(rank, 0), len(ds)-1)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

// errors counts commands that went wrong, and errors the bot reported.
func (r *report) errorCount() int {
	return r.noAck + r.noAnswer + r.redelivered + r.botErrors + len(r.problems)
}

func (r *report) print(w io.Writer, o options) {
	fmt.Fprintf(w, "\nleadload: %d /lead-tip commands at %g/s for %s, %d subscribed users\n", r.commands, o.rate, o.duration, o.users)
	fmt.Fprintf(w, "  start-up to connected  %s\n", ms(r.startup))
	fmt.Fprintf(w, "  ack latency            p50 %s  p99 %s  max %s  (%d acks)\n",
		ms(percentile(r.ack, 50)), ms(percentile(r.ack, 99)), ms(percentile(r.ack, 100)), len(r.ack))
	fmt.Fprintf(w, "  tip latency            p50 %s  p99 %s  max %s  (%d answers)\n",
		ms(percentile(r.tip, 50)), ms(percentile(r.tip, 99)), ms(percentile(r.tip, 100)), len(r.tip))
	fmt.Fprintf(w, "  peak RSS (VmHWM)       %.1f MB\n", float64(r.peakRSS)/(1<<20))
	fmt.Fprintf(w, "  errors                 %d (not acknowledged %d, not answered %d, redelivered %d, bot error logs %d)\n",
		r.errorCount(), r.noAck, r.noAnswer, r.redelivered, r.botErrors)
	if r.rateLimited > 0 {
		fmt.Fprintf(w, "  429s from the fake     %d\n", r.rateLimited)
	}
	if len(r.botMetrics) > 0 {
		fmt.Fprintln(w, "  the bot's /metrics:")
		for _, k := range slices.Sorted(maps.Keys(r.botMetrics)) {
			fmt.Fprintf(w, "    %s %s\n", k, r.botMetrics[k])
		}
	}
	for _, p := range r.problems {
		fmt.Fprintf(w, "  problem: %s\n", p)
	}
	fmt.Fprintln(w, "  targets:")
	for _, t := range r.targets() {
		verdict := "met"
		if !t.met {
			verdict = "MISSED"
		}
		fmt.Fprintf(w, "    %-28s %-10s %s\n", t.name, t.got, verdict)
	}
}

type target struct {
	name string
	got  string
	met  bool
}

func (r *report) targets() []target {
	ack99, tip99 := percentile(r.ack, 99), percentile(r.tip, 99)
	return []target{
		{"ack p99 < 5 ms", ms(ack99), ack99 < targetAckP99},
		{"tip p99 < 20 ms", ms(tip99), tip99 < targetTipP99},
		{"peak RSS < 60 MB", fmt.Sprintf("%.1f MB", float64(r.peakRSS)/(1<<20)), r.peakRSS < targetRSS},
		{"start-up < 200 ms", ms(r.startup), r.startup < targetStartup},
	}
}

// verdict returns an error if a command was lost or a target missed.
func (r *report) verdict() error {
	var missed []string
	for _, t := range r.targets() {
		if !t.met {
			missed = append(missed, t.name)
		}
	}
	switch {
	case r.errorCount() > 0:
		return fmt.Errorf("%d errors", r.errorCount())
	case len(missed) > 0:
		return errors.New("targets missed: " + strings.Join(missed, ", "))
	}
	return nil
}
