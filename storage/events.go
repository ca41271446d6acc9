package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

func markEvent(ctx context.Context, tx *sql.Tx, eventID string, now int64) (bool, error) {
	res, err := tx.ExecContext(ctx,
		"INSERT INTO processed_events (event_id, processed_at) VALUES (?, ?) ON CONFLICT DO NOTHING", eventID, now)
	if err != nil {
		return false, fmt.Errorf("mark event %s: %w", eventID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("mark event %s: %w", eventID, err)
	}
	return n == 1, nil
}

// EventRetention is how long processed event ids, and the tombstones of
// messages that have not arrived, are kept: callers prune with
// PruneEvents(ctx, now.Add(-EventRetention)). Slack delivers an event
// again only while it is unacknowledged, three times within about five
// minutes; a day is a wide margin over that which also survives a clock
// off by hours, and it keeps the table at about a day of events (see
// docs/events-pruning.md).
const EventRetention = 24 * time.Hour

// pruneBatch is how many rows PruneEvents deletes per transaction, so that
// a backlog of millions (a bot that never pruned) goes in short steps,
// with other writes in between and the WAL kept small.
const pruneBatch = 5000

// PruneEvents forgets processed event ids, and the tombstones of messages
// that never came (tombstones.go), older than before: pass
// now.Add(-EventRetention). It deletes in short transactions of its own,
// so a large backlog does not hold up other writes, and returns how many
// rows it deleted, with an error (the rows deleted before it stay
// deleted) if a transaction fails or ctx ends. With nothing to delete,
// each table costs an indexed lookup in a write transaction that writes
// nothing: cheap enough for every scheduler pass.
func (db *DB) PruneEvents(ctx context.Context, before time.Time) (int64, error) {
	cutoff := before.UTC().Unix()
	var total int64
	for _, query := range []string{
		`DELETE FROM processed_events WHERE rowid IN
			(SELECT rowid FROM processed_events WHERE processed_at < ? LIMIT ?)`,
		`DELETE FROM message_tombstones WHERE (channel, ts) IN
			(SELECT channel, ts FROM message_tombstones WHERE changed_at < ? LIMIT ?)`,
	} {
		for {
			var n int64
			err := db.withTx(ctx, func(tx *sql.Tx, _ int64) error {
				res, err := tx.ExecContext(ctx, query, cutoff, pruneBatch)
				if err != nil {
					return err
				}
				n, err = res.RowsAffected()
				return err
			})
			if err != nil {
				return total, fmt.Errorf("prune events: %w", err)
			}
			total += n
			if n < pruneBatch {
				break
			}
		}
	}
	return total, nil
}
