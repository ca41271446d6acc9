package storage

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"testing/fstest"
	"time"
)

// openTest opens a fresh database file in a temporary directory.
func openTest(t *testing.T, opts ...Option) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "leadbot.db"), opts...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestOpenCreatesPrivateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leadbot.db")
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer db.Close()
	if err := db.SaveUser(context.Background(), User{ID: "U1", TeamID: "T1"}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatalf("stat %s: %v", p, err)
		}
		if got := fi.Mode().Perm(); got != 0o600 {
			t.Errorf("%s mode = %o, want 600", filepath.Base(p), got)
		}
	}
}

func TestOpenSettings(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	tests := []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"},
		{"foreign_keys", "1"},
		{"busy_timeout", "5000"},
		{"synchronous", "2"}, // FULL
	}
	for _, tt := range tests {
		t.Run(tt.pragma, func(t *testing.T) {
			var got string
			if err := db.write.QueryRowContext(ctx, "PRAGMA "+tt.pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("PRAGMA %s = %q, want %q", tt.pragma, got, tt.want)
			}
		})
	}
}

// WithBusyTimeout changes how long both connections wait for a lock.
func TestOpenWithBusyTimeout(t *testing.T) {
	db := openTest(t, WithBusyTimeout(1200*time.Millisecond))
	for name, conn := range map[string]*sql.DB{"write": db.write, "read": db.read} {
		var got string
		if err := conn.QueryRowContext(context.Background(), "PRAGMA busy_timeout").Scan(&got); err != nil || got != "1200" {
			t.Errorf("%s connection: PRAGMA busy_timeout = %q, %v; want 1200", name, got, err)
		}
	}
}

func TestMigrationsApplyOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leadbot.db")
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		db, err := Open(ctx, path)
		if err != nil {
			t.Fatalf("Open #%d: %v", i+1, err)
		}
		var n int
		if err := db.read.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations").Scan(&n); err != nil {
			t.Fatal(err)
		}
		ms, _ := loadMigrations(migrationFiles)
		if n != len(ms) {
			t.Errorf("after open #%d: %d migrations recorded, want %d", i+1, n, len(ms))
		}
		db.Close()
	}
}

func TestMigrationsConcurrentOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leadbot.db")
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		wg.Go(func() {
			db, err := Open(ctx, path)
			if err != nil {
				errs <- err
				return
			}
			db.Close()
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent Open: %v", err)
	}
}

// A migration that fails half-way must leave the schema as it was before it:
// no table from its first statement, no record of it, and the earlier
// migration's data intact.
func TestMigrationFailureLeavesPreviousSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "m.db")
	raw, err := sql.Open("sqlite", dsn(path, false, BusyTimeout))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)

	v1 := fstest.MapFS{
		"migrations/0001_first.sql": {Data: []byte("CREATE TABLE first (id INTEGER PRIMARY KEY); INSERT INTO first VALUES (42);")},
	}
	if err := migrate(ctx, raw, v1, time.Now, nil); err != nil {
		t.Fatalf("migrate v1: %v", err)
	}
	v2 := fstest.MapFS{
		"migrations/0001_first.sql":  v1["migrations/0001_first.sql"],
		"migrations/0002_broken.sql": {Data: []byte("CREATE TABLE second (id INTEGER); ALTER TABLE first ADD COLUMN x TEXT; INSERT INTO no_such_table VALUES (1);")},
	}
	if err := migrate(ctx, raw, v2, time.Now, nil); err == nil {
		t.Fatal("migrate v2 with a broken migration: got nil error")
	}

	var tables int
	if err := raw.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE name = 'second'").Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != 0 {
		t.Error("table from the failed migration exists")
	}
	var cols int
	if err := raw.QueryRowContext(ctx, "SELECT count(*) FROM pragma_table_info('first') WHERE name = 'x'").Scan(&cols); err != nil {
		t.Fatal(err)
	}
	if cols != 0 {
		t.Error("column added by the failed migration exists")
	}
	var version int
	if err := raw.QueryRowContext(ctx, "SELECT max(version) FROM schema_migrations").Scan(&version); err != nil {
		t.Fatal(err)
	}
	if version != 1 {
		t.Errorf("schema version = %d, want 1", version)
	}
	var id int
	if err := raw.QueryRowContext(ctx, "SELECT id FROM first").Scan(&id); err != nil || id != 42 {
		t.Errorf("data from migration 1: got %d, %v; want 42", id, err)
	}
}

func TestLoadMigrationsRejectsBadNames(t *testing.T) {
	tests := map[string]fstest.MapFS{
		"no number":  {"migrations/init.sql": {Data: []byte("SELECT 1")}},
		"duplicate":  {"migrations/0001_a.sql": {}, "migrations/0001_b.sql": {}},
		"zero":       {"migrations/0000_a.sql": {}},
		"not number": {"migrations/abc_a.sql": {}},
	}
	for name, fsys := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := loadMigrations(fsys); err == nil {
				t.Error("got nil error")
			}
		})
	}
}

func TestOpenRejectsCorruptFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leadbot.db")
	junk := []byte("this is not a database, and it must not be overwritten\n")
	for len(junk) < 8192 {
		junk = append(junk, junk...)
	}
	if err := os.WriteFile(path, junk, 0o600); err != nil {
		t.Fatal(err)
	}
	if db, err := Open(context.Background(), path); err == nil {
		db.Close()
		t.Fatal("Open of a corrupt file: got nil error")
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(junk) {
		t.Error("corrupt file was modified")
	}
}

func TestUsers(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	db := openTest(t, WithClock(func() time.Time { return now }))

	if _, err := db.User(ctx, "U1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("User of unknown id: err = %v, want ErrNotFound", err)
	}
	if err := db.SaveUser(ctx, User{ID: "U1", TeamID: "T1", TZ: "Europe/Berlin", TZCheckedAt: now}); err != nil {
		t.Fatal(err)
	}
	// Empty fields do not erase what is known.
	if err := db.SaveUser(ctx, User{ID: "U1", DMChannel: "D1"}); err != nil {
		t.Fatal(err)
	}
	got, err := db.User(ctx, "U1")
	if err != nil {
		t.Fatal(err)
	}
	want := User{ID: "U1", TeamID: "T1", TZ: "Europe/Berlin", TZCheckedAt: now, DMChannel: "D1"}
	if got != want {
		t.Errorf("User = %+v, want %+v", got, want)
	}
}

func TestMarkEvent(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	db := openTest(t, WithClock(func() time.Time { return now }))

	for i, want := range []bool{true, false} {
		got, err := db.markOneEvent(ctx, "Ev1")
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("markOneEvent call %d = %v, want %v", i+1, got, want)
		}
	}
	n, err := db.PruneEvents(ctx, now.Add(time.Second))
	if err != nil || n != 1 {
		t.Errorf("PruneEvents = %d, %v; want 1, nil", n, err)
	}
	if first, _ := db.markOneEvent(ctx, "Ev1"); !first {
		t.Error("after pruning, the event id should be new again")
	}
}
