package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// tombstone is what an edit or a deletion said about a message that was
// not stored (yet): deleted, or edited by userID to text at changedAt.
type tombstone struct {
	deleted   bool
	userID    string
	text      string
	changedAt int64
}

// keepTombstone remembers the edit or deletion t of the message at
// channel/ts, which is not stored: it may yet arrive. A deletion wins over
// every edit, before or after it; of two edits the later to arrive wins.
func keepTombstone(ctx context.Context, tx *sql.Tx, channel, ts string, t tombstone) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO message_tombstones (channel, ts, deleted, user_id, text, changed_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (channel, ts) DO UPDATE SET deleted = excluded.deleted,
			user_id = excluded.user_id, text = excluded.text, changed_at = excluded.changed_at
		WHERE NOT message_tombstones.deleted`,
		channel, ts, t.deleted, t.userID, t.text, t.changedAt)
	if err != nil {
		return fmt.Errorf("keep tombstone of %s/%s: %w", channel, ts, err)
	}
	return nil
}

// lateMessage applies the tombstone of the message at channel/ts, if it has
// one, to the message arriving now from userID with *text: it returns false
// if the message was deleted, and otherwise sets *text and *editedAt to
// the author's latest edit.
func lateMessage(ctx context.Context, tx *sql.Tx, channel, ts, userID string, text *string, editedAt *int64) (bool, error) {
	var t tombstone
	err := tx.QueryRowContext(ctx, `SELECT deleted, user_id, text, changed_at FROM message_tombstones
		WHERE channel = ? AND ts = ?`, channel, ts).Scan(&t.deleted, &t.userID, &t.text, &t.changedAt)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return true, nil
	case err != nil:
		return false, fmt.Errorf("tombstone of %s/%s: %w", channel, ts, err)
	case t.deleted:
		return false, nil
	case t.userID == userID: // only the author edits a message
		*text, *editedAt = t.text, t.changedAt
	}
	return true, nil
}
