package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// MarkEvent records that the Events API event with id has been handled. It
// returns false if the event was recorded before, so the caller can skip a
// redelivered event. Call it inside the same transaction as the event's
// effect where there is one (see WithEvent).
func (db *DB) MarkEvent(ctx context.Context, eventID string) (first bool, err error) {
	err = db.withTx(ctx, func(tx *sql.Tx, now int64) error {
		first, err = markEvent(ctx, tx, eventID, now)
		return err
	})
	return first, err
}

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

// PruneEvents forgets processed event ids, and the tombstones of messages
// that never came (tombstones.go), older than before. Slack retries an
// event for minutes, not days, so a week of ids is plenty. It returns how
// many rows it deleted.
func (db *DB) PruneEvents(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := db.withTx(ctx, func(tx *sql.Tx, _ int64) error {
		for _, query := range []string{
			"DELETE FROM processed_events WHERE processed_at < ?",
			"DELETE FROM message_tombstones WHERE changed_at < ?",
		} {
			res, err := tx.ExecContext(ctx, query, before.UTC().Unix())
			if err != nil {
				return fmt.Errorf("prune events: %w", err)
			}
			deleted, err := res.RowsAffected()
			if err != nil {
				return fmt.Errorf("prune events: %w", err)
			}
			n += deleted
		}
		return nil
	})
	return n, err
}
