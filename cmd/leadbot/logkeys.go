package main

import (
	"context"
	"log/slog"
	"slices"
)

// Attribute keys for the structured logs written here (the bot's own are
// in bot/logkeys.go). Values are ids, addresses and errors, never tokens.
const (
	keyErr       = "err"
	keyAddr      = "addr"
	keyComponent = "component"
	keyPath      = "path"
)

// uniqueKeys wraps h so that a record carries each attribute key once,
// with the last value given for it, where the key first appeared. Loggers
// are passed down and added to: the nudge sender adds the DM's channel to
// a logger that holds the command's channel already. A JSON line with a
// key twice is refused by some log collectors and misread by people.
func uniqueKeys(h slog.Handler) slog.Handler { return keyDeduper{next: h} }

type keyDeduper struct {
	next  slog.Handler
	attrs []slog.Attr // from WithAttrs, held back until Handle
}

func (h keyDeduper) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h keyDeduper) Handle(ctx context.Context, r slog.Record) error {
	all := make([]slog.Attr, 0, len(h.attrs)+r.NumAttrs())
	all = append(all, h.attrs...)
	r.Attrs(func(a slog.Attr) bool { all = append(all, a); return true })
	out := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	out.AddAttrs(lastValues(all)...)
	return h.next.Handle(ctx, out)
}

func (h keyDeduper) WithAttrs(attrs []slog.Attr) slog.Handler {
	return keyDeduper{next: h.next, attrs: append(slices.Clip(h.attrs), attrs...)}
}

// WithGroup hands the attributes so far to next: keys inside the group
// cannot clash with those outside it.
func (h keyDeduper) WithGroup(name string) slog.Handler {
	return keyDeduper{next: h.next.WithAttrs(lastValues(h.attrs)).WithGroup(name)}
}

// lastValues returns attrs with each key once, in the order the keys first
// appear, each with the last value given for it.
func lastValues(attrs []slog.Attr) []slog.Attr {
	at := make(map[string]int, len(attrs))
	out := make([]slog.Attr, 0, len(attrs))
	for _, a := range attrs {
		if i, ok := at[a.Key]; ok {
			out[i] = a
			continue
		}
		at[a.Key] = len(out)
		out = append(out, a)
	}
	return out
}
