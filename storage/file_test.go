package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestWritesRefusedWhileFileGone: while the database's path does not name
// the file that was opened (moved away, its -wal file moved away, replaced
// by a copy), every write fails with ErrFileGone and keeps nothing, alone
// or in a batch; once the file is back, writes work again.
func TestWritesRefusedWhileFileGone(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leadbot.db")
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	steps := []struct {
		name string
		do   func() error
		gone bool
	}{
		{"as opened", func() error { return nil }, false},
		{"moved away", func() error { return os.Rename(path, path+".moved") }, true},
		{"put back", func() error { return os.Rename(path+".moved", path) }, false},
		{"-wal moved away", func() error { return os.Rename(path+"-wal", path+".wal") }, true},
		{"-wal put back", func() error { return os.Rename(path+".wal", path+"-wal") }, false},
		{"replaced by a copy", func() error {
			other, err := sql.Open("sqlite", "file:"+path)
			if err != nil {
				return err
			}
			defer other.Close()
			if _, err := other.Exec("VACUUM INTO ?", path+".new"); err != nil {
				return err
			}
			return os.Rename(path+".new", path)
		}, true},
	}
	for i, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		check := func(what, id string, err error) {
			t.Helper()
			if got := errors.Is(err, ErrFileGone); got != s.gone {
				t.Errorf("%s: %s error %v, want ErrFileGone %v", s.name, what, err, s.gone)
			}
			// Through the write connection, which has the file that was opened
			// wherever it is now: a read connection may not open while it is away.
			if got := eventRecordedIn(t, db.write, id); got == s.gone {
				t.Errorf("%s: %s recorded %v", s.name, what, got)
			}
		}
		if s.gone {
			readWithNewConnections(t, db)
		}
		id := fmt.Sprintf("EvTX%d", i)
		_, err := db.markOneEvent(context.Background(), id)
		check("a write", id, err)
		if err := db.CheckFile(); errors.Is(err, ErrFileGone) != s.gone {
			t.Errorf("%s: CheckFile = %v, want ErrFileGone %v", s.name, err, s.gone)
		}
		// A batch of two: the path runBatch takes when writers queue up.
		var batch []*batchOp
		for j := range 2 {
			id := fmt.Sprintf("EvBATCH%d.%d", i, j)
			batch = append(batch, &batchOp{ctx: context.Background(), fn: eventOp(id, nil), done: make(chan struct{}), lead: make(chan struct{}, 1)})
		}
		db.runBatch(batch)
		for j, op := range batch {
			check("a batched write", fmt.Sprintf("EvBATCH%d.%d", i, j), op.err)
		}
		if !s.gone && !eventRecorded(t, db, "EvTX0") { // read through the path, by a read connection
			t.Fatalf("%s: the first write is lost", s.name)
		}
	}
}

// readWithNewConnections runs a read on each of the read pool's
// connections at once, so that at least one of them is opened now.
func readWithNewConnections(t *testing.T, db *DB) {
	t.Helper()
	ctx := context.Background()
	var conns []*sql.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range 4 {
		c, err := db.read.Conn(ctx)
		if err != nil {
			return // a connection that cannot open is what we want
		}
		conns = append(conns, c)
	}
	for _, c := range conns {
		var n int
		c.QueryRowContext(ctx, "SELECT count(*) FROM processed_events").Scan(&n) //nolint:errcheck // failing is fine; creating a file is not
	}
}
