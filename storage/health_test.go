package storage

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestCheckWrite: CheckWrite fails while the database cannot be written
// (read-only here; cmd/leadbot's TestHealthzDiskFull fills the disk), and
// passes again once it can; checking often does not grow the file.
func TestCheckWrite(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, WithClock(func() time.Time { return t0 }))
	pages := func() int {
		var n int
		if err := db.write.QueryRowContext(ctx, "PRAGMA page_count").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if err := db.CheckWrite(ctx); err != nil {
		t.Fatalf("CheckWrite = %v", err)
	}
	before := pages()
	for range 100 {
		if err := db.CheckWrite(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if after := pages(); after != before {
		t.Errorf("100 checks grew the file from %d to %d pages", before, after)
	}

	// The write pool has one connection: query_only makes every write of
	// the DB fail, as a file that has become read-only would.
	if _, err := db.write.ExecContext(ctx, "PRAGMA query_only = 1"); err != nil {
		t.Fatal(err)
	}
	if err := db.Ping(ctx); err != nil {
		t.Fatalf("Ping while read-only = %v; the read check alone sees nothing wrong", err)
	}
	err := db.CheckWrite(ctx)
	if err == nil || !strings.Contains(err.Error(), "readonly") {
		t.Errorf("CheckWrite while read-only = %v, want a read-only error", err)
	}
	if _, err := db.write.ExecContext(ctx, "PRAGMA query_only = 0"); err != nil {
		t.Fatal(err)
	}
	if err := db.CheckWrite(ctx); err != nil {
		t.Errorf("CheckWrite once writable again = %v", err)
	}
}
