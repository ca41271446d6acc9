package bot

import (
	"context"
	"errors"
	"log/slog"
)

// quietCancel wraps h so that a record whose error is only a canceled
// context is logged at debug level: work cut short by shutdown is expected,
// not an error someone should look at.
func quietCancel(h slog.Handler) slog.Handler { return cancelQuieter{h} }

type cancelQuieter struct{ slog.Handler }

func (h cancelQuieter) Handle(ctx context.Context, r slog.Record) error {
	if r.Level > slog.LevelDebug && onlyCanceled(r) {
		if !h.Handler.Enabled(ctx, slog.LevelDebug) {
			return nil
		}
		quiet := slog.NewRecord(r.Time, slog.LevelDebug, r.Message, r.PC)
		r.Attrs(func(a slog.Attr) bool { quiet.AddAttrs(a); return true })
		r = quiet
	}
	return h.Handler.Handle(ctx, r)
}

func (h cancelQuieter) WithAttrs(attrs []slog.Attr) slog.Handler {
	return cancelQuieter{h.Handler.WithAttrs(attrs)}
}

func (h cancelQuieter) WithGroup(name string) slog.Handler {
	return cancelQuieter{h.Handler.WithGroup(name)}
}

// onlyCanceled reports whether r carries an error and that error is a
// canceled context.
func onlyCanceled(r slog.Record) bool {
	canceled := false
	r.Attrs(func(a slog.Attr) bool {
		if err, ok := a.Value.Any().(error); ok && errors.Is(err, context.Canceled) {
			canceled = true
			return false
		}
		return true
	})
	return canceled
}
