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

// TipVote is what one user thought of one tip.
type TipVote struct {
	TipID   string
	Helpful bool
	VotedAt time.Time
}

// RecordTipVote stores userID's vote on tipID, replacing an earlier one.
func (db *DB) RecordTipVote(ctx context.Context, userID, tipID string, helpful bool) error {
	vote := -1
	if helpful {
		vote = 1
	}
	return db.withTx(ctx, func(tx *sql.Tx, now int64) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO tip_votes (user_id, tip_id, vote, voted_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (user_id, tip_id) DO UPDATE SET vote = excluded.vote, voted_at = excluded.voted_at`,
			userID, tipID, vote, now)
		if err != nil {
			return fmt.Errorf("record vote on tip %s for %s: %w", tipID, userID, err)
		}
		return nil
	})
}

// tipVotes returns userID's votes, oldest first.
func (db *DB) tipVotes(ctx context.Context, userID string) ([]TipVote, error) {
	rows, err := db.read.QueryContext(ctx,
		"SELECT tip_id, vote, voted_at FROM tip_votes WHERE user_id = ? ORDER BY voted_at, tip_id", userID)
	if err != nil {
		return nil, fmt.Errorf("tip votes of %s: %w", userID, err)
	}
	defer rows.Close()
	var out []TipVote
	for rows.Next() {
		var v TipVote
		var vote int
		var at int64
		if err := rows.Scan(&v.TipID, &vote, &at); err != nil {
			return nil, fmt.Errorf("tip votes of %s: %w", userID, err)
		}
		v.Helpful, v.VotedAt = vote > 0, fromUnix(at)
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("tip votes of %s: %w", userID, err)
	}
	return out, nil
}

// TipRating counts the votes on one tip.
type TipRating struct {
	TipID              string
	Helpful, Unhelpful int
}

// TipRatings returns the votes per tip, the tips with the largest share of
// unhelpful votes first (ties: more votes first, then by id). Tips nobody
// voted on are absent.
func (db *DB) TipRatings(ctx context.Context) ([]TipRating, error) {
	rows, err := db.read.QueryContext(ctx, `
		SELECT tip_id, sum(vote > 0), sum(vote < 0) FROM tip_votes GROUP BY tip_id
		ORDER BY 1.0 * sum(vote < 0) / count(*) DESC, count(*) DESC, tip_id`)
	if err != nil {
		return nil, fmt.Errorf("tip ratings: %w", err)
	}
	defer rows.Close()
	var out []TipRating
	for rows.Next() {
		var r TipRating
		if err := rows.Scan(&r.TipID, &r.Helpful, &r.Unhelpful); err != nil {
			return nil, fmt.Errorf("tip ratings: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("tip ratings: %w", err)
	}
	return out, nil
}
