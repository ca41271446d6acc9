package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// UserData is everything stored about one user, for their export.
type UserData struct {
	User         *User
	Subscription *Subscription
	Deliveries   []Delivery
	Replies      []Reply
	TipsSeen     []TipSeen
	TipVotes     []TipVote
	Digests      []DigestRecord
	TeamReplies  []TeamReply // what they wrote in weekly prompt threads
	ChannelsSet  []string    // channels whose weekly prompt they set up
	Profile      *Profile    // their answers about their situation; nil if none
	Milestones   []Milestone // such as the day-90 summary
}

// DigestRecord is one weekly digest sent to a user.
type DigestRecord struct {
	Slot   time.Time
	State  string
	SentAt time.Time
}

// UserData collects everything stored about userID. Every query is keyed
// by userID: nothing about anyone else is read.
func (db *DB) UserData(ctx context.Context, userID string) (UserData, error) {
	var out UserData
	if u, err := db.User(ctx, userID); err == nil {
		out.User = &u
	} else if !errors.Is(err, ErrNotFound) {
		return out, err
	}
	if s, err := db.Subscription(ctx, userID); err == nil {
		out.Subscription = &s
	} else if !errors.Is(err, ErrNotFound) {
		return out, err
	}
	var err error
	if out.Deliveries, err = queryDeliveries(ctx, db.read, `SELECT `+deliveryColumns+` FROM deliveries
		WHERE user_id = ? ORDER BY claimed_at, id`, userID); err != nil {
		return out, fmt.Errorf("export %s: %w", userID, err)
	}
	if out.Replies, err = db.queryReplies(ctx, `SELECT id, delivery_id, user_id, channel, ts, thread_ts, text, via, created_at, edited_at
		FROM replies WHERE user_id = ? ORDER BY created_at, id`, userID); err != nil {
		return out, fmt.Errorf("export %s: %w", userID, err)
	}
	seen, err := db.TipsSeen(ctx, userID)
	if err != nil {
		return out, err
	}
	for _, s := range seen {
		out.TipsSeen = append(out.TipsSeen, s)
	}
	if out.TipVotes, err = db.tipVotes(ctx, userID); err != nil {
		return out, err
	}
	rows, err := db.read.QueryContext(ctx, `SELECT slot, state, sent_at FROM digests WHERE user_id = ? ORDER BY slot`, userID)
	if err != nil {
		return out, fmt.Errorf("export %s: %w", userID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var d DigestRecord
		var slot, sent int64
		if err := rows.Scan(&slot, &d.State, &sent); err != nil {
			return out, fmt.Errorf("export %s: %w", userID, err)
		}
		d.Slot, d.SentAt = fromUnix(slot), fromUnix(sent)
		out.Digests = append(out.Digests, d)
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("export %s: %w", userID, err)
	}
	if err := db.exportTeam(ctx, userID, &out); err != nil {
		return out, fmt.Errorf("export %s: %w", userID, err)
	}
	p, err := db.Profile(ctx, userID)
	if err != nil {
		return out, err
	}
	if !p.UpdatedAt.IsZero() {
		out.Profile = &p
	}
	if out.Milestones, err = db.queryMilestones(ctx, `SELECT user_id, name, state, claimed_at, sent_at
		FROM milestones WHERE user_id = ? ORDER BY claimed_at, name`, userID); err != nil {
		return out, fmt.Errorf("export %s: %w", userID, err)
	}
	return out, nil
}

// exportTeam adds userID's weekly prompt replies and the channels they set
// up to out.
func (db *DB) exportTeam(ctx context.Context, userID string, out *UserData) error {
	rows, err := db.read.QueryContext(ctx, `SELECT id, post_id, channel_id, user_id, ts, text, created_at, edited_at
		FROM team_replies WHERE user_id = ? ORDER BY created_at, id`, userID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r TeamReply
		var created, edited int64
		if err := rows.Scan(&r.ID, &r.PostID, &r.ChannelID, &r.UserID, &r.TS, &r.Text, &created, &edited); err != nil {
			return err
		}
		r.CreatedAt, r.EditedAt = fromUnix(created), fromUnix(edited)
		out.TeamReplies = append(out.TeamReplies, r)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	chans, err := db.read.QueryContext(ctx, `SELECT channel_id FROM team_channels WHERE owner_id = ? ORDER BY channel_id`, userID)
	if err != nil {
		return err
	}
	defer chans.Close()
	for chans.Next() {
		var id string
		if err := chans.Scan(&id); err != nil {
			return err
		}
		out.ChannelsSet = append(out.ChannelsSet, id)
	}
	return chans.Err()
}

// Forgotten counts what Forget deleted.
type Forgotten struct {
	Nudges, Replies, TipsSeen, TipVotes, Digests int64
	// TeamReplies are the user's replies to weekly team questions;
	// TeamChannels the channels they set up, which keep their prompt
	// without the user's id.
	TeamReplies, TeamChannels int64
	Milestones                int64 // such as the day-90 summary
	// User is their row (timezone, DM channel); Profile their answers
	// about their situation.
	User, Profile, Subscription bool
}

// Forget deletes every row about userID, in one transaction: all or
// nothing. It returns what was deleted.
func (db *DB) Forget(ctx context.Context, userID string) (Forgotten, error) {
	var f Forgotten
	err := db.withTx(ctx, func(tx *sql.Tx, _ int64) error {
		del := func(query string) (int64, error) {
			res, err := tx.ExecContext(ctx, query, userID)
			if err != nil {
				return 0, fmt.Errorf("forget %s: %w", userID, err)
			}
			return res.RowsAffected()
		}
		var err error
		var n int64
		// Tombstones (tombstones.go) first, while the user's DM channels are
		// still known: an edit's holds its author and text, a deletion's in
		// their DM only the channel.
		if _, err = del(`DELETE FROM message_tombstones WHERE user_id = ?1 OR channel IN (
			SELECT dm_channel FROM users WHERE id = ?1 AND dm_channel <> ''
			UNION SELECT channel FROM deliveries WHERE user_id = ?1 AND channel <> '')`); err != nil {
			return err
		}
		if f.Replies, err = del(`DELETE FROM replies WHERE user_id = ?`); err != nil {
			return err
		}
		if f.Nudges, err = del(`DELETE FROM deliveries WHERE user_id = ?`); err != nil {
			return err
		}
		if f.TipsSeen, err = del(`DELETE FROM tips_seen WHERE user_id = ?`); err != nil {
			return err
		}
		if f.TipVotes, err = del(`DELETE FROM tip_votes WHERE user_id = ?`); err != nil {
			return err
		}
		if f.Digests, err = del(`DELETE FROM digests WHERE user_id = ?`); err != nil {
			return err
		}
		if n, err = del(`DELETE FROM subscriptions WHERE user_id = ?`); err != nil {
			return err
		}
		f.Subscription = n > 0
		// Weekly team prompts (channels.go): the user's thread replies go; a
		// channel they set up keeps its prompt for the team, without their id.
		if f.TeamReplies, err = del(`DELETE FROM team_replies WHERE user_id = ?`); err != nil {
			return err
		}
		if f.TeamChannels, err = del(`UPDATE team_channels SET owner_id = '' WHERE owner_id = ?`); err != nil {
			return err
		}
		if n, err = del(`DELETE FROM profiles WHERE user_id = ?`); err != nil {
			return err
		}
		f.Profile = n > 0
		if f.Milestones, err = del(`DELETE FROM milestones WHERE user_id = ?`); err != nil {
			return err
		}
		if n, err = del(`DELETE FROM users WHERE id = ?`); err != nil {
			return err
		}
		f.User = n > 0
		return nil
	})
	if err != nil {
		return Forgotten{}, err
	}
	return f, nil
}
