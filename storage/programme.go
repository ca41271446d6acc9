package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Answer is a yes/no question a user may leave unanswered.
type Answer int8

// Answers, as stored.
const (
	Unsaid Answer = iota
	Yes
	No
)

// Profile is what a manager told the bot about their situation, every
// part optional (0, Unsaid or zero when not said), and when their
// programme started.
type Profile struct {
	UserID      string
	StartedOn   time.Time // the day they became a manager (midnight UTC); zero if not said
	FormerPeers Answer    // do they lead people who were their peers
	FirstTime   Answer    // is this their first time managing
	TeamSize    int       // people reporting to them; 0 if not said
	UpdatedAt   time.Time // zero if they never answered
	// FirstNudge is when their first nudge was claimed, zero if none: the
	// start of their programme when they did not say when they started.
	FirstNudge time.Time
}

// SaveProfile stores p as userID's answers, replacing earlier ones. The
// user must have been saved with SaveUser first.
func (db *DB) SaveProfile(ctx context.Context, p Profile) error {
	if p.FormerPeers < Unsaid || p.FormerPeers > No || p.FirstTime < Unsaid || p.FirstTime > No || p.TeamSize < 0 {
		return fmt.Errorf("save profile %s: answers out of range", p.UserID)
	}
	return db.withTx(ctx, func(tx *sql.Tx, now int64) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO profiles (user_id, started_on, former_peers, first_time, team_size, updated_at)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (user_id) DO UPDATE SET
				started_on = excluded.started_on, former_peers = excluded.former_peers,
				first_time = excluded.first_time, team_size = excluded.team_size,
				updated_at = excluded.updated_at`,
			p.UserID, unix(p.StartedOn), p.FormerPeers, p.FirstTime, p.TeamSize, now)
		if err != nil {
			return fmt.Errorf("save profile %s: %w", p.UserID, err)
		}
		return nil
	})
}

// Profile returns userID's answers and the time of their first nudge. A
// user who never answered gets a Profile with only UserID and FirstNudge
// set, not an error.
func (db *DB) Profile(ctx context.Context, userID string) (Profile, error) {
	p := Profile{UserID: userID}
	var started, updated, first int64
	err := db.read.QueryRowContext(ctx, `
		SELECT coalesce(p.started_on, 0), coalesce(p.former_peers, 0), coalesce(p.first_time, 0),
			coalesce(p.team_size, 0), coalesce(p.updated_at, 0),
			coalesce((SELECT min(claimed_at) FROM deliveries WHERE user_id = ?1 AND kind <> 'look-back'), 0)
		FROM (SELECT 1) LEFT JOIN profiles p ON p.user_id = ?1`, userID).
		Scan(&started, &p.FormerPeers, &p.FirstTime, &p.TeamSize, &updated, &first)
	if err != nil {
		return Profile{}, fmt.Errorf("profile %s: %w", userID, err)
	}
	p.StartedOn, p.UpdatedAt, p.FirstNudge = fromUnix(started), fromUnix(updated), fromUnix(first)
	return p, nil
}

// Reply returns userID's reply id, or ErrNotFound.
func (db *DB) Reply(ctx context.Context, userID string, id int64) (Reply, error) {
	rs, err := db.queryReplies(ctx, `SELECT id, delivery_id, user_id, channel, ts, thread_ts, text, via, created_at, edited_at
		FROM replies WHERE user_id = ? AND id = ?`, userID, id)
	if err != nil {
		return Reply{}, err
	}
	if len(rs) == 0 {
		return Reply{}, fmt.Errorf("reply %d: %w", id, ErrNotFound)
	}
	return rs[0], nil
}

// LookBack says which of a user's reflections may be shown to them again.
type LookBack struct {
	WrittenFrom, WrittenTo time.Time // the reply was written in [WrittenFrom, WrittenTo]
	NoneSince              time.Time // and no look-back was claimed for the user since
	MinChars               int       // and it has at least this many characters
}

// LookBackCandidate returns the oldest reply of userID that lb allows: to
// a nudge (not to a look-back), never looked back on yet. It returns
// ErrNotFound if there is none, or if the user had a look-back since
// lb.NoneSince.
func (db *DB) LookBackCandidate(ctx context.Context, userID string, lb LookBack) (Reply, error) {
	rs, err := db.queryReplies(ctx, `
		SELECT r.id, r.delivery_id, r.user_id, r.channel, r.ts, r.thread_ts, r.text, r.via, r.created_at, r.edited_at
		FROM replies r JOIN deliveries d ON d.id = r.delivery_id
		WHERE r.user_id = ?1 AND r.created_at BETWEEN ?2 AND ?3 AND length(r.text) >= ?4
			AND d.kind <> 'look-back'
			AND NOT EXISTS (SELECT 1 FROM deliveries b WHERE b.looks_back = r.id)
			AND NOT EXISTS (SELECT 1 FROM deliveries b WHERE b.user_id = ?1 AND b.kind = 'look-back'
				AND b.claimed_at >= ?5 AND b.state <> 'failed')
		ORDER BY r.created_at, r.id LIMIT 1`,
		userID, unix(lb.WrittenFrom), unix(lb.WrittenTo), lb.MinChars, unix(lb.NoneSince))
	if err != nil {
		return Reply{}, fmt.Errorf("look-back for %s: %w", userID, err)
	}
	if len(rs) == 0 {
		return Reply{}, fmt.Errorf("look-back for %s: %w", userID, ErrNotFound)
	}
	return rs[0], nil
}

// Milestone states.
const (
	MilestoneClaimed = "claimed"
	MilestoneSent    = "sent"
	MilestoneFailed  = "failed"
	MilestoneSkipped = "skipped" // due, but there was nothing to say
)

// Milestone is a one-off message to a user, such as the day-90 summary:
// at most one per user and name.
type Milestone struct {
	UserID    string
	Name      string
	State     string
	ClaimedAt time.Time
	SentAt    time.Time
}

// DueMilestones returns the ids of up to limit users whose programme
// started at or before startedBy (the day they said they became a
// manager, else their first nudge), who are still subscribed, and have
// no milestone called name yet.
func (db *DB) DueMilestones(ctx context.Context, name string, startedBy time.Time, limit int) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, `
		SELECT s.user_id FROM subscriptions s LEFT JOIN profiles p ON p.user_id = s.user_id
		WHERE s.status <> 'stopped'
			AND NOT EXISTS (SELECT 1 FROM milestones m WHERE m.user_id = s.user_id AND m.name = ?1)
			AND coalesce(nullif(p.started_on, 0),
				(SELECT min(claimed_at) FROM deliveries d WHERE d.user_id = s.user_id AND d.kind <> 'look-back')) <= ?2
		ORDER BY s.user_id LIMIT ?3`, name, unix(startedBy), limit)
	if err != nil {
		return nil, fmt.Errorf("due %s: %w", name, err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("due %s: %w", name, err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// ClaimMilestone claims userID's milestone name for sending. It returns
// false if it was claimed before: a milestone goes out at most once.
func (db *DB) ClaimMilestone(ctx context.Context, userID, name string) (bool, error) {
	var ok bool
	err := db.withTx(ctx, func(tx *sql.Tx, now int64) error {
		var err error
		ok, err = execOne(ctx, tx, `INSERT INTO milestones (user_id, name, state, claimed_at)
			VALUES (?, ?, 'claimed', ?) ON CONFLICT (user_id, name) DO NOTHING`, userID, name, now)
		if err != nil {
			return fmt.Errorf("claim %s of %s: %w", name, userID, err)
		}
		return nil
	})
	return ok, err
}

// FinishMilestone records how a claimed milestone ended: MilestoneSent,
// MilestoneFailed or MilestoneSkipped.
func (db *DB) FinishMilestone(ctx context.Context, userID, name, state string) error {
	_, err := db.updateOne(ctx, fmt.Sprintf("finish %s of %s", name, userID),
		`UPDATE milestones SET state = ?2, sent_at = CASE WHEN ?2 = 'sent' THEN ?1 ELSE 0 END
			WHERE user_id = ?3 AND name = ?4 AND state = 'claimed'`, state, userID, name)
	return err
}

// StaleMilestones returns milestones claimed before before and never
// finished: the process sending them stopped.
func (db *DB) StaleMilestones(ctx context.Context, before time.Time, limit int) ([]Milestone, error) {
	return db.queryMilestones(ctx, `SELECT user_id, name, state, claimed_at, sent_at FROM milestones
		WHERE state = 'claimed' AND claimed_at < ? ORDER BY claimed_at LIMIT ?`, unix(before), limit)
}

// ReclaimMilestone takes over an interrupted milestone m (from
// StaleMilestones). It returns false if another process took it first.
func (db *DB) ReclaimMilestone(ctx context.Context, m Milestone) (bool, error) {
	return db.updateOne(ctx, fmt.Sprintf("reclaim %s of %s", m.Name, m.UserID),
		`UPDATE milestones SET claimed_at = ? WHERE user_id = ? AND name = ? AND state = 'claimed' AND claimed_at = ?`,
		m.UserID, m.Name, unix(m.ClaimedAt))
}

func (db *DB) queryMilestones(ctx context.Context, query string, args ...any) ([]Milestone, error) {
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("milestones: %w", err)
	}
	defer rows.Close()
	var out []Milestone
	for rows.Next() {
		var m Milestone
		var claimed, sent int64
		if err := rows.Scan(&m.UserID, &m.Name, &m.State, &claimed, &sent); err != nil {
			return nil, fmt.Errorf("milestones: %w", err)
		}
		m.ClaimedAt, m.SentAt = fromUnix(claimed), fromUnix(sent)
		out = append(out, m)
	}
	return out, rows.Err()
}
