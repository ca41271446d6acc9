package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// DueDigests returns up to limit subscriptions (active, digest on) whose
// weekly digest is due at or before now.
func (db *DB) DueDigests(ctx context.Context, now time.Time, limit int) ([]Subscription, error) {
	return db.querySubscriptions(ctx, "due digests", `
		WHERE s.status = 'active' AND s.digest_on = 1 AND s.digest_next_at > 0 AND s.digest_next_at <= ?
		ORDER BY s.digest_next_at LIMIT ?`, unix(now), limit)
}

// ClaimDigest takes ownership of userID's digest for slot, which sums up
// week (WeekOf the slot in the user's timezone): in one transaction
// it moves digest_next_at from due to next and, if slot is to be sent
// (send true), records the claim. It returns false if another process
// moved the digest on first, or week has its digest already.
func (db *DB) ClaimDigest(ctx context.Context, userID string, week int, slot, due, next time.Time, send bool) (bool, error) {
	var ok bool
	err := db.withTx(ctx, func(tx *sql.Tx, now int64) error {
		res, err := tx.ExecContext(ctx, `UPDATE subscriptions SET digest_next_at = ? WHERE user_id = ? AND digest_next_at = ?`,
			unix(next), userID, unix(due))
		if err != nil {
			return fmt.Errorf("claim digest of %s: %w", userID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		if !send {
			ok = true
			return nil
		}
		res, err = tx.ExecContext(ctx, `INSERT INTO digests (user_id, week, slot, state, claimed_at) VALUES (?, ?, ?, 'claimed', ?)
			ON CONFLICT DO NOTHING`, userID, week, unix(slot), now)
		if err != nil {
			return fmt.Errorf("claim digest of %s: %w", userID, err)
		}
		n, _ := res.RowsAffected()
		ok = n == 1
		return nil
	})
	return ok, err
}

// UnscheduledDigests returns up to limit active subscriptions with the
// digest on but no time for it: those from before the digest existed.
func (db *DB) UnscheduledDigests(ctx context.Context, limit int) ([]Subscription, error) {
	return db.querySubscriptions(ctx, "unscheduled digests", `
		WHERE s.status = 'active' AND s.digest_on = 1 AND s.digest_next_at = 0
		ORDER BY s.user_id LIMIT ?`, limit)
}

// ScheduleDigest sets userID's next digest to next if it has none yet. It
// returns false if it had one (set meanwhile by the user or another
// process).
func (db *DB) ScheduleDigest(ctx context.Context, userID string, next time.Time) (bool, error) {
	return db.updateOne(ctx, "schedule digest of "+userID,
		`UPDATE subscriptions SET updated_at = ?, digest_next_at = ?
			WHERE user_id = ? AND digest_on = 1 AND digest_next_at = 0`, unix(next), userID)
}

// FinishDigest records the outcome of userID's digest for slot.
func (db *DB) FinishDigest(ctx context.Context, userID string, slot time.Time, sent bool) error {
	state := StateFailed
	if sent {
		state = StateSent
	}
	return db.withTx(ctx, func(tx *sql.Tx, now int64) error {
		_, err := tx.ExecContext(ctx, `UPDATE digests SET state = ?, sent_at = ? WHERE user_id = ? AND slot = ?`,
			state, now, userID, unix(slot))
		if err != nil {
			return fmt.Errorf("finish digest of %s: %w", userID, err)
		}
		return nil
	})
}

// DeliveriesSince returns userID's deliveries claimed at or after since,
// oldest first.
func (db *DB) DeliveriesSince(ctx context.Context, userID string, since time.Time) ([]Delivery, error) {
	ds, err := queryDeliveries(ctx, db.read, `SELECT `+deliveryColumns+` FROM deliveries
		WHERE user_id = ? AND claimed_at >= ? ORDER BY claimed_at, id`, userID, unix(since))
	if err != nil {
		return nil, fmt.Errorf("deliveries of %s: %w", userID, err)
	}
	return ds, nil
}

// Digest is one weekly digest claimed or sent.
type Digest struct {
	UserID    string
	Slot      time.Time
	State     string
	ClaimedAt time.Time
}

// StaleDigests returns up to limit digests claimed before before and never
// finished: the process stopped, or Slack's answer was lost, between the
// claim and the record.
func (db *DB) StaleDigests(ctx context.Context, before time.Time, limit int) ([]Digest, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT user_id, slot, state, claimed_at FROM digests
		WHERE state = 'claimed' AND claimed_at < ? ORDER BY claimed_at LIMIT ?`, unix(before), limit)
	if err != nil {
		return nil, fmt.Errorf("stale digests: %w", err)
	}
	defer rows.Close()
	var out []Digest
	for rows.Next() {
		var d Digest
		var slot, claimed int64
		if err := rows.Scan(&d.UserID, &slot, &d.State, &claimed); err != nil {
			return nil, fmt.Errorf("stale digests: %w", err)
		}
		d.Slot, d.ClaimedAt = fromUnix(slot), fromUnix(claimed)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("stale digests: %w", err)
	}
	return out, nil
}

// ReclaimDigest takes over an interrupted digest d (from StaleDigests) by
// renewing its claim time. It returns false if another process took it
// over first, or it was finished meanwhile.
func (db *DB) ReclaimDigest(ctx context.Context, d Digest) (bool, error) {
	return db.updateOne(ctx, "reclaim digest of "+d.UserID,
		`UPDATE digests SET claimed_at = ?
			WHERE user_id = ? AND slot = ? AND state = 'claimed' AND claimed_at = ?`, d.UserID, unix(d.Slot), unix(d.ClaimedAt))
}
