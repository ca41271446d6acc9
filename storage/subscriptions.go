package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Subscription states.
const (
	StatusActive  = "active"
	StatusPaused  = "paused"
	StatusStopped = "stopped"
)

// Subscription is a user's nudge schedule.
type Subscription struct {
	UserID       string
	Days         uint8 // bit d set = weekday d (time.Weekday: 0 Sunday ... 6 Saturday)
	Minute       int   // local time of day, minutes after midnight
	Status       string
	PausedUntil  time.Time // zero: paused until resumed
	NextAt       time.Time // next slot to deliver; zero if none
	TZ           string    // the user's timezone (from users), read-only here
	DMChannel    string    // the user's DM channel, read-only here
	TeamID       string    // read-only here
	DigestOn     bool      // the weekly progress digest is wanted
	DigestNextAt time.Time // when the next digest is due; zero if none
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// SaveSubscription creates or replaces userID's subscription. The user must
// have been saved with SaveUser first.
func (db *DB) SaveSubscription(ctx context.Context, s Subscription) error {
	return db.withTx(ctx, func(tx *sql.Tx, now int64) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO subscriptions (user_id, days, minute, status, paused_until, next_at,
				digest_on, digest_next_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (user_id) DO UPDATE SET
				days = excluded.days, minute = excluded.minute, status = excluded.status,
				paused_until = excluded.paused_until, next_at = excluded.next_at,
				digest_on = excluded.digest_on, digest_next_at = excluded.digest_next_at,
				updated_at = excluded.updated_at`,
			s.UserID, s.Days, s.Minute, s.Status, unix(s.PausedUntil), unix(s.NextAt),
			s.DigestOn, unix(s.DigestNextAt), now, now)
		if err != nil {
			return fmt.Errorf("save subscription %s: %w", s.UserID, err)
		}
		return nil
	})
}

const subscriptionColumns = `s.user_id, s.days, s.minute, s.status, s.paused_until, s.next_at,
	u.tz, u.dm_channel, u.team_id, s.digest_on, s.digest_next_at, s.created_at, s.updated_at`

func scanSubscription(row interface{ Scan(...any) error }) (Subscription, error) {
	var s Subscription
	var paused, next, digestNext, created, updated int64
	err := row.Scan(&s.UserID, &s.Days, &s.Minute, &s.Status, &paused, &next,
		&s.TZ, &s.DMChannel, &s.TeamID, &s.DigestOn, &digestNext, &created, &updated)
	s.PausedUntil, s.NextAt, s.DigestNextAt = fromUnix(paused), fromUnix(next), fromUnix(digestNext)
	s.CreatedAt, s.UpdatedAt = fromUnix(created), fromUnix(updated)
	return s, err
}

// Subscription returns userID's subscription, or ErrNotFound if they never
// subscribed.
func (db *DB) Subscription(ctx context.Context, userID string) (Subscription, error) {
	row := db.read.QueryRowContext(ctx, `SELECT `+subscriptionColumns+`
		FROM subscriptions s JOIN users u ON u.id = s.user_id WHERE s.user_id = ?`, userID)
	s, err := scanSubscription(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Subscription{}, fmt.Errorf("subscription %s: %w", userID, ErrNotFound)
	}
	if err != nil {
		return Subscription{}, fmt.Errorf("subscription %s: %w", userID, err)
	}
	return s, nil
}

// DueSubscriptions returns up to limit active or paused subscriptions whose
// next slot is at or before now, earliest first.
func (db *DB) DueSubscriptions(ctx context.Context, now time.Time, limit int) ([]Subscription, error) {
	return db.querySubscriptions(ctx, "due subscriptions", `
		WHERE s.status IN ('active', 'paused') AND s.next_at > 0 AND s.next_at <= ?
		ORDER BY s.next_at LIMIT ?`, unix(now), limit)
}

// querySubscriptions returns the subscriptions, with their users' timezone,
// that where (a WHERE clause and what follows it) selects. what names the
// query in errors.
func (db *DB) querySubscriptions(ctx context.Context, what, where string, args ...any) ([]Subscription, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+subscriptionColumns+`
		FROM subscriptions s JOIN users u ON u.id = s.user_id `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []Subscription
	for rows.Next() {
		s, err := scanSubscription(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// AdvanceSlot moves userID's next slot from slot to next without a
// delivery (the slot was missed for too long, or the user is paused). It
// returns false if the slot was no longer the next one: another process
// handled it.
func (db *DB) AdvanceSlot(ctx context.Context, userID string, slot, next time.Time, status string, pausedUntil time.Time) (bool, error) {
	var ok bool
	err := db.withTx(ctx, func(tx *sql.Tx, now int64) error {
		var err error
		ok, err = advance(ctx, tx, userID, slot, next, status, pausedUntil, now)
		return err
	})
	return ok, err
}

func advance(ctx context.Context, tx *sql.Tx, userID string, slot, next time.Time, status string, pausedUntil time.Time, now int64) (bool, error) {
	ok, err := execOne(ctx, tx, `UPDATE subscriptions SET next_at = ?, status = ?, paused_until = ?, updated_at = ?
		WHERE user_id = ? AND next_at = ?`, unix(next), status, unix(pausedUntil), now, userID, unix(slot))
	if err != nil {
		return false, fmt.Errorf("advance %s: %w", userID, err)
	}
	return ok, nil
}

// ClaimSlot takes ownership of delivering d.Slot to d.UserID: in one
// transaction it moves the subscription's next slot from due (the value the
// caller read) on to next and records d (source "schedule", state
// "claimed"). d.Slot is usually due, or a later slot when catching up. It
// returns false, and records nothing, if another process or an earlier run
// already moved the schedule on.
func (db *DB) ClaimSlot(ctx context.Context, d Delivery, due, next time.Time) (Delivery, bool, error) {
	var claimed bool
	err := db.withTx(ctx, func(tx *sql.Tx, now int64) error {
		ok, err := advance(ctx, tx, d.UserID, due, next, StatusActive, time.Time{}, now)
		if err != nil || !ok {
			return err
		}
		d.Source = SourceSchedule
		d, claimed, err = insertDelivery(ctx, tx, d, now)
		return err
	})
	return d, claimed, err
}
