package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
)

// committer batches write transactions that arrive while another is being
// committed (group commit). With synchronous=FULL every commit waits for an
// fsync; callers who queue up behind one share the next, so concurrent
// writers are not limited to one fsync each. Every caller still returns
// only once its own work is committed: durability is unchanged.
type committer struct {
	mu      sync.Mutex
	queue   []*batchOp
	leading bool // a caller is running batches
}

// batchOp is one caller's transaction body waiting in the queue.
type batchOp struct {
	ctx  context.Context
	fn   func(tx *sql.Tx, now int64) error
	err  error
	done chan struct{} // closed once err is final
	lead chan struct{} // buffered(1): this caller runs the next batch
}

// withBatchedTx runs fn like withTx, inside a transaction that may hold
// other callers' work too, each in a savepoint of its own: if fn returns an
// error, only its own changes are rolled back. It returns fn's error, or
// the commit's. It waits for the commit even when ctx is cancelled
// meanwhile (fn then fails on ctx, and nothing of it is kept).
func (db *DB) withBatchedTx(ctx context.Context, fn func(tx *sql.Tx, now int64) error) error {
	c := &db.batch
	op := &batchOp{ctx: ctx, fn: fn, done: make(chan struct{}), lead: make(chan struct{}, 1)}
	c.mu.Lock()
	c.queue = append(c.queue, op)
	if !c.leading {
		c.leading = true
		op.lead <- struct{}{}
	}
	c.mu.Unlock()
	for {
		select {
		case <-op.done:
			return op.err
		case <-op.lead:
			// op is still queued: only the leader takes from the queue.
			c.mu.Lock()
			batch := c.queue
			c.queue = nil
			c.mu.Unlock()
			db.runBatch(batch)
			// Hand over to the first caller that queued meanwhile, so that
			// no caller keeps leading under a steady load.
			c.mu.Lock()
			if len(c.queue) > 0 {
				c.queue[0].lead <- struct{}{}
			} else {
				c.leading = false
			}
			c.mu.Unlock()
		}
	}
}

// runBatch commits the ops in one transaction, each in a savepoint, and
// sets each op's error: its own, or the commit's.
func (db *DB) runBatch(batch []*batchOp) {
	finish := func(err error) {
		for _, op := range batch {
			if op.err == nil {
				op.err = err
			}
			close(op.done)
		}
	}
	if len(batch) == 1 {
		op := batch[0]
		op.err = db.withTx(op.ctx, op.call)
		close(op.done)
		return
	}
	// The transaction belongs to no single caller: one giving up must not
	// roll back the others' work.
	ctx := context.Background()
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		finish(fmt.Errorf("begin batch: %w", err))
		return
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	now := db.now().UTC().Unix()
	for i, op := range batch {
		if err := op.ctx.Err(); err != nil {
			op.err = err
			continue
		}
		sp := fmt.Sprintf("op%d", i)
		if _, err := tx.ExecContext(ctx, "SAVEPOINT "+sp); err != nil {
			finish(fmt.Errorf("batch savepoint: %w", err))
			return
		}
		if err := op.call(tx, now); err != nil {
			op.err = err
			if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO "+sp); rerr != nil {
				// The transaction itself is gone (an interrupted statement
				// rolls it all back): nothing in it was committed.
				finish(errors.Join(err, fmt.Errorf("batch rollback: %w", rerr)))
				return
			}
		}
		if _, err := tx.ExecContext(ctx, "RELEASE "+sp); err != nil {
			finish(fmt.Errorf("batch release: %w", err))
			return
		}
	}
	if err := db.CheckFile(); err != nil {
		finish(err) // rolled back: the commit would be lost
		return
	}
	if err := tx.Commit(); err != nil {
		finish(fmt.Errorf("commit batch: %w", err))
		return
	}
	finish(nil)
}

// call runs the op's body, turning a panic into its error: a panic must
// not leave the other callers of the batch waiting for ever.
func (op *batchOp) call(tx *sql.Tx, now int64) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic in a batched transaction: %v", r)
		}
	}()
	return op.fn(tx, now)
}
