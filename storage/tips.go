package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// TipSeen is one tip a user was shown.
type TipSeen struct {
	TipID     string
	Times     int
	FirstSeen time.Time
	LastSeen  time.Time
}

// RecordTipShown notes that userID was shown tipID now.
func (db *DB) RecordTipShown(ctx context.Context, userID, tipID string) error {
	return db.withTx(ctx, func(tx *sql.Tx, now int64) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO tips_seen (user_id, tip_id, times, first_seen, last_seen) VALUES (?, ?, 1, ?, ?)
			ON CONFLICT (user_id, tip_id) DO UPDATE SET times = times + 1, last_seen = excluded.last_seen`,
			userID, tipID, now, now)
		if err != nil {
			return fmt.Errorf("record tip %s for %s: %w", tipID, userID, err)
		}
		return nil
	})
}

// TipsSeen returns how many times userID was shown each tip, by tip id.
// Tips never shown are absent.
func (db *DB) TipsSeen(ctx context.Context, userID string) (map[string]TipSeen, error) {
	rows, err := db.read.QueryContext(ctx,
		"SELECT tip_id, times, first_seen, last_seen FROM tips_seen WHERE user_id = ?", userID)
	if err != nil {
		return nil, fmt.Errorf("tips seen by %s: %w", userID, err)
	}
	defer rows.Close()
	seen := map[string]TipSeen{}
	for rows.Next() {
		var s TipSeen
		var first, last int64
		if err := rows.Scan(&s.TipID, &s.Times, &first, &last); err != nil {
			return nil, fmt.Errorf("tips seen by %s: %w", userID, err)
		}
		s.FirstSeen, s.LastSeen = time.Unix(first, 0).UTC(), time.Unix(last, 0).UTC()
		seen[s.TipID] = s
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("tips seen by %s: %w", userID, err)
	}
	return seen, nil
}
