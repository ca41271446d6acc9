package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// How a reply reached the bot.
const (
	ViaThread = "thread" // in the nudge's thread
	ViaDM     = "dm"     // in the DM, shortly after the nudge
)

// Reply is a message a user wrote in answer to a nudge.
type Reply struct {
	ID         int64
	DeliveryID int64
	UserID     string
	Channel    string
	TS         string
	ThreadTS   string
	Text       string
	Via        string
	CreatedAt  time.Time
	EditedAt   time.Time
}

// RecordReply stores r and, if the nudge had no outcome yet, marks it
// replied, in one transaction together with the event id, so that Slack
// delivering the same event again stores nothing twice. A reply whose
// edit arrived before it is stored with the edited text; one whose
// deletion did is not stored at all. It returns false if nothing was
// stored: the event or the message was already recorded, or the message
// was deleted.
func (db *DB) RecordReply(ctx context.Context, eventID string, r Reply) (bool, error) {
	var stored bool
	// Batched: replies arrive together after a fan-out of nudges, and each
	// commit waits for an fsync (see batch.go).
	err := db.withBatchedTx(ctx, func(tx *sql.Tx, now int64) error {
		if eventID != "" {
			first, err := markEvent(ctx, tx, eventID, now)
			if err != nil || !first {
				return err
			}
		}
		text, edited := r.Text, int64(0)
		if keep, err := lateMessage(ctx, tx, r.Channel, r.TS, r.UserID, &text, &edited); err != nil || !keep {
			return err
		}
		res, err := tx.ExecContext(ctx, `
			INSERT INTO replies (delivery_id, user_id, channel, ts, thread_ts, text, via, created_at, edited_at)
			SELECT id, ?, ?, ?, ?, ?, ?, ?, ? FROM deliveries WHERE id = ? AND user_id = ?
			ON CONFLICT (channel, ts) DO NOTHING`,
			r.UserID, r.Channel, r.TS, r.ThreadTS, text, r.Via, now, edited, r.DeliveryID, r.UserID)
		if err != nil {
			return fmt.Errorf("record reply %s/%s: %w", r.Channel, r.TS, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		stored = true
		_, err = tx.ExecContext(ctx, `UPDATE deliveries SET outcome = 'replied', outcome_at = ?
			WHERE id = ? AND outcome = ''`, now, r.DeliveryID)
		if err != nil {
			return fmt.Errorf("record reply %s/%s: %w", r.Channel, r.TS, err)
		}
		return nil
	})
	return stored, err
}

// EditReply replaces the text of userID's reply at channel/ts (the user
// edited the message). If no message is stored there (yet), the edit is
// kept for RecordReply. It returns false if no reply was changed or the
// event was already handled.
func (db *DB) EditReply(ctx context.Context, eventID, userID, channel, ts, text string) (bool, error) {
	return db.changeReply(ctx, eventID, channel, ts, tombstone{userID: userID, text: text},
		`UPDATE replies SET text = ?, edited_at = ?
		WHERE channel = ? AND ts = ? AND user_id = ?`, func(now int64) []any {
			return []any{text, now, channel, ts, userID}
		})
}

// DeleteReply removes the reply at channel/ts (the user deleted the
// message). If no message is stored there (yet), the deletion is kept, so
// that RecordReply does not store it later. It returns false if no reply
// was removed or the event was already handled.
func (db *DB) DeleteReply(ctx context.Context, eventID, channel, ts string) (bool, error) {
	return db.changeReply(ctx, eventID, channel, ts, tombstone{deleted: true},
		`DELETE FROM replies WHERE channel = ? AND ts = ?`,
		func(int64) []any { return []any{channel, ts} })
}

// changeReply runs query, the edit or deletion of the message at
// channel/ts, with the event id. If it changes nothing, the message has
// not arrived (yet): early is kept as its tombstone.
func (db *DB) changeReply(ctx context.Context, eventID, channel, ts string, early tombstone, query string, args func(now int64) []any) (bool, error) {
	var changed bool
	err := db.withTx(ctx, func(tx *sql.Tx, now int64) error {
		if eventID != "" {
			first, err := markEvent(ctx, tx, eventID, now)
			if err != nil || !first {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, query, args(now)...)
		if err != nil {
			return fmt.Errorf("change reply: %w", err)
		}
		n, _ := res.RowsAffected()
		if changed = n > 0; changed {
			return nil
		}
		early.changedAt = now
		return keepTombstone(ctx, tx, channel, ts, early)
	})
	return changed, err
}

// Replies returns userID's replies to delivery deliveryID, oldest first.
func (db *DB) Replies(ctx context.Context, userID string, deliveryID int64) ([]Reply, error) {
	return db.queryReplies(ctx, `SELECT id, delivery_id, user_id, channel, ts, thread_ts, text, via, created_at, edited_at
		FROM replies WHERE user_id = ? AND delivery_id = ? ORDER BY created_at, id`, userID, deliveryID)
}

// RecentReplies returns userID's latest replies, newest first, at most
// limit.
func (db *DB) RecentReplies(ctx context.Context, userID string, limit int) ([]Reply, error) {
	return db.queryReplies(ctx, `SELECT id, delivery_id, user_id, channel, ts, thread_ts, text, via, created_at, edited_at
		FROM replies WHERE user_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`, userID, limit)
}

func (db *DB) queryReplies(ctx context.Context, query string, args ...any) ([]Reply, error) {
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("replies: %w", err)
	}
	defer rows.Close()
	var out []Reply
	for rows.Next() {
		var r Reply
		var created, edited int64
		if err := rows.Scan(&r.ID, &r.DeliveryID, &r.UserID, &r.Channel, &r.TS, &r.ThreadTS, &r.Text, &r.Via, &created, &edited); err != nil {
			return nil, fmt.Errorf("replies: %w", err)
		}
		r.CreatedAt, r.EditedAt = fromUnix(created), fromUnix(edited)
		out = append(out, r)
	}
	return out, rows.Err()
}
