package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// eventOp returns a transaction body that records event id, then fails
// with fail if it is not nil, or panics if fail is errPanic.
func eventOp(id string, fail error) func(tx *sql.Tx, now int64) error {
	return func(tx *sql.Tx, now int64) error {
		if _, err := markEvent(context.Background(), tx, id, now); err != nil {
			return err
		}
		if errors.Is(fail, errPanic) {
			panic("boom")
		}
		return fail
	}
}

var errPanic = errors.New("panic please")

func eventRecorded(t *testing.T, db *DB, id string) bool {
	t.Helper()
	return eventRecordedIn(t, db.read, id)
}

// eventRecordedIn is eventRecorded, read through pool.
func eventRecordedIn(t *testing.T, pool *sql.DB, id string) bool {
	t.Helper()
	var n int
	if err := pool.QueryRow("SELECT count(*) FROM processed_events WHERE event_id = ?", id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 1
}

// In a batch, each op is all or nothing on its own: a failing, panicking
// or cancelled op keeps nothing and gets its error; the others commit.
func TestRunBatchIsolatesOps(t *testing.T) {
	db := openTest(t)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	bad := errors.New("bad reply")
	type opCase struct {
		id      string
		ctx     context.Context
		fail    error
		wantErr string
	}
	cases := []opCase{
		{"Ev1", context.Background(), nil, ""},
		{"Ev2", context.Background(), bad, "bad reply"},
		{"Ev3", context.Background(), nil, ""},
		{"Ev4", context.Background(), errPanic, "panic in a batched transaction: boom"},
		{"Ev5", cancelled, nil, "context canceled"},
		{"Ev6", context.Background(), nil, ""},
	}
	var batch []*batchOp
	for _, c := range cases {
		batch = append(batch, &batchOp{ctx: c.ctx, fn: eventOp(c.id, c.fail), done: make(chan struct{}), lead: make(chan struct{}, 1)})
	}
	db.runBatch(batch)
	for i, c := range cases {
		op := batch[i]
		select {
		case <-op.done:
		default:
			t.Fatalf("%s: not done after the batch", c.id)
		}
		switch {
		case c.wantErr == "" && op.err != nil:
			t.Errorf("%s: error %v, want none", c.id, op.err)
		case c.wantErr != "" && (op.err == nil || !strings.Contains(op.err.Error(), c.wantErr)):
			t.Errorf("%s: error %v, want %q", c.id, op.err, c.wantErr)
		}
		if got, want := eventRecorded(t, db, c.id), c.wantErr == ""; got != want {
			t.Errorf("%s: recorded %v, want %v", c.id, got, want)
		}
	}
}

// Many repliers at once: every reply is stored exactly once, including
// the same event delivered twice at the same moment, and all of it is on
// disk when RecordReply returns.
func TestRecordReplyConcurrent(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	if err := db.SaveUser(ctx, User{ID: "U1", TeamID: "T1"}); err != nil {
		t.Fatal(err)
	}
	d, _, err := db.claimDelivery(ctx, Delivery{UserID: "U1", NudgeID: "n1", Kind: "k", Source: SourceNow})
	if err != nil {
		t.Fatal(err)
	}
	const writers, each = 32, 20
	var stored atomic.Int64
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				n := (w/2)*each + i // writers 2k and 2k+1 send the same events
				ok, err := db.RecordReply(ctx, fmt.Sprintf("Ev%d", n), Reply{
					DeliveryID: d.ID, UserID: "U1", Channel: "D1", TS: fmt.Sprintf("1.%06d", n), Text: "done", Via: ViaDM,
				})
				if err != nil {
					t.Error(err)
					return
				}
				if ok {
					stored.Add(1)
				}
			}
		})
	}
	wg.Wait()
	want := writers / 2 * each
	if got := stored.Load(); got != int64(want) {
		t.Errorf("%d replies reported stored, want %d", got, want)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db2, err := Open(ctx, db.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	replies, err := db2.Replies(ctx, "U1", d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(replies) != want {
		t.Errorf("%d replies on disk, want %d", len(replies), want)
	}
}
