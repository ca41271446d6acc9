package storage

import (
	"context"
	"database/sql"
	"sync"
	"testing"
	"time"
)

// eventRows counts the processed event ids.
func eventRows(t *testing.T, db *DB) int64 {
	t.Helper()
	var n int64
	if err := db.read.QueryRow(`SELECT count(*) FROM processed_events`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// markOneEvent records that event id was handled, in a transaction of
// its own. It returns false if it was recorded before.
func (db *DB) markOneEvent(ctx context.Context, id string) (first bool, err error) {
	err = db.withTx(ctx, func(tx *sql.Tx, now int64) error {
		first, err = markEvent(ctx, tx, id, now)
		return err
	})
	return first, err
}

// markEvents records n event ids, numbered from first, processed at at,
// in one transaction (markOneEvent would take an fsync each).
func markEvents(t *testing.T, db *DB, first, n int, at time.Time) {
	t.Helper()
	if _, err := db.write.Exec(`WITH RECURSIVE n(i) AS (SELECT ?1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1 + ?2 - 1)
		INSERT INTO processed_events (event_id, processed_at) SELECT printf('Ev%010X', (i * 2654435761) % 1099511627776), ?3 FROM n`,
		first, n, at.Unix()); err != nil {
		t.Fatal(err)
	}
}

// TestPruneEventsKeepsRetryWindow: an event id pruned with EventRetention
// is kept while Slack could deliver the event again, so the redelivery is
// still skipped, and goes once that is long past.
func TestPruneEventsKeepsRetryWindow(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	now := t0
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	setNow := func(t time.Time) { mu.Lock(); defer mu.Unlock(); now = t }
	db := openTest(t, WithClock(clock))
	if first, err := db.markOneEvent(ctx, "EvRetried"); err != nil || !first {
		t.Fatalf("markOneEvent = %v, %v", first, err)
	}
	steps := []struct {
		name       string
		after      time.Duration
		wantPruned int64
	}{
		{"Slack's last retry, minutes later", 6 * time.Minute, 0},
		{"hours later", EventRetention - time.Minute, 0},
		{"beyond the retention", EventRetention + time.Minute, 1},
	}
	for _, s := range steps {
		setNow(t0.Add(s.after))
		n, err := db.PruneEvents(ctx, clock().Add(-EventRetention))
		if err != nil || n != s.wantPruned {
			t.Errorf("%s: PruneEvents = %d, %v; want %d", s.name, n, err, s.wantPruned)
		}
		if s.wantPruned == 0 {
			if first, err := db.markOneEvent(ctx, "EvRetried"); err != nil || first {
				t.Errorf("%s: a redelivery was taken for a new event (%v)", s.name, err)
			}
		}
	}
}

// TestPruneEventsInSteps: a large backlog (a bot that never pruned) is
// deleted in short transactions: other writes go in between, instead of
// waiting for the whole prune, and every old id goes, no new one.
func TestPruneEventsInSteps(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, WithClock(func() time.Time { return t0 }))
	const backlog = 20 * pruneBatch
	markEvents(t, db, 1, backlog, t0.Add(-30*24*time.Hour))
	markEvents(t, db, backlog+1, 10, t0)

	type result struct {
		n   int64
		err error
	}
	done := make(chan result, 1)
	go func() {
		n, err := db.PruneEvents(ctx, t0.Add(-EventRetention))
		done <- result{n, err}
	}()
	// Wait for the first step to be committed, then write.
	for eventRows(t, db) == backlog+10 {
		select {
		case r := <-done:
			t.Fatalf("PruneEvents (%d, %v) committed nothing before it returned: one transaction", r.n, r.err)
		default:
			time.Sleep(time.Millisecond)
		}
	}
	if _, err := db.markOneEvent(ctx, "EvDuringPrune"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
		t.Error("a write made during the prune waited for all of it")
	default:
	}
	r := <-done
	if r.err != nil || r.n != backlog {
		t.Errorf("PruneEvents = %d, %v; want %d", r.n, r.err, backlog)
	}
	if got := eventRows(t, db); got != 11 {
		t.Errorf("%d event ids left, want the 10 recent ones and the one written during the prune", got)
	}
}

// A realistic rate of event ids (docs/events-pruning.md): only replies to
// nudges and weekly prompts, and their edits and deletions, mark events.
// 10,000 users with a nudge every working day, each answered with about
// one message and some edits, and a few weekly thread replies per team,
// make about 1.3 events per user and working day. The test uses 4 per user
// and day, every day of the year, as an upper bound.
const (
	sizeUsers        = 10_000
	eventsPerUserDay = 4
	eventsPerDay     = sizeUsers * eventsPerUserDay
)

// eventsTableBytes returns the bytes the processed event ids take in the
// file: the table and its two indexes.
func eventsTableBytes(t *testing.T, db *DB) int64 {
	t.Helper()
	var n int64
	if err := db.read.QueryRow(`SELECT sum(pgsize) FROM dbstat
		WHERE name IN ('processed_events', 'sqlite_autoindex_processed_events_1', 'processed_events_by_time')`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestEventsTableSize: at eventsPerDay, pruned every hour with
// EventRetention, the processed event ids stay at about a day's worth and
// the database file stops growing after the first day. It logs the
// figures of docs/events-pruning.md: bytes per event id, the steady size,
// and what a year would hold without pruning.
func TestEventsTableSize(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates three days of 10,000 users")
	}
	ctx := context.Background()
	db := openTest(t, WithClock(func() time.Time { return t0 }))
	var pageSize int64
	if err := db.read.QueryRow(`PRAGMA page_size`).Scan(&pageSize); err != nil {
		t.Fatal(err)
	}
	fileBytes := func() int64 {
		var pages int64
		if err := db.write.QueryRow(`PRAGMA page_count`).Scan(&pages); err != nil {
			t.Fatal(err)
		}
		return pages * pageSize
	}

	const perHour = eventsPerDay / 24
	var maxRows, maxBytes, fileAfterDay2 int64
	next := 1
	for hour := range 3 * 24 {
		now := t0.Add(time.Duration(hour) * time.Hour)
		markEvents(t, db, next, perHour, now)
		next += perHour
		if _, err := db.PruneEvents(ctx, now.Add(-EventRetention)); err != nil {
			t.Fatal(err)
		}
		maxRows = max(maxRows, eventRows(t, db))
		maxBytes = max(maxBytes, eventsTableBytes(t, db))
		if hour == 2*24-1 {
			fileAfterDay2 = fileBytes()
		}
	}
	if limit := int64(perHour * 25); maxRows > limit {
		t.Errorf("up to %d event ids kept, want at most a day and an hour's %d", maxRows, limit)
	}
	// The pages freed by pruning are used again: after the second day the
	// file grows by no more than a few pages.
	if grew := fileBytes() - fileAfterDay2; grew > 16*pageSize {
		t.Errorf("the file grew by %d bytes on the third day, want it steady", grew)
	}

	perRow := float64(maxBytes) / float64(maxRows)
	yearRows := int64(eventsPerDay) * 365
	t.Logf("%d users, %d events a day: %.0f bytes per event id (table and indexes)", sizeUsers, eventsPerDay, perRow)
	t.Logf("pruned hourly, %v kept: at most %d ids, %.1f MB", EventRetention, maxRows, float64(maxBytes)/1e6)
	t.Logf("never pruned, after a year: %d ids, about %.0f MB", yearRows, perRow*float64(yearRows)/1e6)
	if maxBytes > 10<<20 {
		t.Errorf("the pruned table takes %d bytes, want it under 10 MB", maxBytes)
	}
}
