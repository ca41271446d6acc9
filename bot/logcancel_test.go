package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestQuietCancel(t *testing.T) {
	for _, tc := range []struct {
		name  string
		err   error
		level slog.Level // handler's minimum level
		want  string     // "" means nothing logged
	}{
		{"canceled is debug", fmt.Errorf("due re-asks: %w", context.Canceled), slog.LevelDebug, "level=DEBUG"},
		{"canceled dropped at info", context.Canceled, slog.LevelInfo, ""},
		{"other errors stay errors", errors.New("disk I/O error"), slog.LevelInfo, "level=ERROR"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			log := slog.New(quietCancel(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: tc.level}))).With("component", "scheduler")
			log.Error("could not read", "err", tc.err)
			got := buf.String()
			if tc.want == "" {
				if got != "" {
					t.Fatalf("logged %q, want nothing", got)
				}
				return
			}
			if !strings.Contains(got, tc.want) || !strings.Contains(got, "component=scheduler") {
				t.Fatalf("logged %q, want %s with the logger's attributes", got, tc.want)
			}
		})
	}
}
