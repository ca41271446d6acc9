package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Delivery sources.
const (
	SourceSchedule = "schedule" // a slot of the user's schedule
	SourceNow      = "now"      // asked for with /lead-tip nudge
	SourceReask    = "reask"    // the same nudge again after "Not yet"
)

// Delivery states.
const (
	StateClaimed = "claimed" // recorded; the message may or may not be posted yet
	StateSent    = "sent"
	StateFailed  = "failed"
)

// Outcomes of a nudge.
const (
	OutcomeNone    = ""
	OutcomeDone    = "done"
	OutcomeNotYet  = "not_yet"
	OutcomeSkipped = "skipped"
	OutcomeReplied = "replied"
)

// Delivery is one nudge sent, or being sent, to a user.
type Delivery struct {
	ID         int64
	UserID     string
	NudgeID    string
	Kind       string
	Source     string
	Slot       time.Time // the scheduled time it is for
	State      string
	Channel    string // the DM channel, once posted
	TS         string // the message's ts, once posted
	ClaimedAt  time.Time
	SentAt     time.Time
	Outcome    string
	OutcomeAt  time.Time
	ReaskAt    time.Time // when "Not yet" asks again; zero if not pending
	FollowupAt time.Time // when the one follow-up was sent; zero if not
	// LooksBack is, for a look-back (Kind KindLookBack), the id of the
	// reply it shows again; 0 for a nudge.
	LooksBack int64
	Replies   int // how many replies to it are stored (read-only)
}

// KindLookBack is the kind of a delivery that shows the user a reflection
// of theirs again (NudgeID is KindLookBack too).
const KindLookBack = "look-back"

const deliveryColumns = `id, user_id, nudge_id, kind, source, slot, state, channel, ts,
	claimed_at, sent_at, outcome, outcome_at, reask_at, followup_at, looks_back,
	(SELECT count(*) FROM replies WHERE replies.delivery_id = deliveries.id)`

func scanDelivery(row interface{ Scan(...any) error }) (Delivery, error) {
	var d Delivery
	var slot, claimed, sent, outcomeAt, reask, followup int64
	err := row.Scan(&d.ID, &d.UserID, &d.NudgeID, &d.Kind, &d.Source, &slot, &d.State, &d.Channel, &d.TS,
		&claimed, &sent, &d.Outcome, &outcomeAt, &reask, &followup, &d.LooksBack, &d.Replies)
	d.Slot, d.ClaimedAt, d.SentAt = fromUnix(slot), fromUnix(claimed), fromUnix(sent)
	d.OutcomeAt, d.ReaskAt, d.FollowupAt = fromUnix(outcomeAt), fromUnix(reask), fromUnix(followup)
	return d, err
}

func queryDeliveries(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, query string, args ...any) ([]Delivery, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// insertDelivery records d in state claimed unless (user, slot, source)
// exists already, in which case it returns false.
func insertDelivery(ctx context.Context, tx *sql.Tx, d Delivery, now int64) (Delivery, bool, error) {
	res, err := tx.ExecContext(ctx, `
		INSERT INTO deliveries (user_id, nudge_id, kind, source, slot, state, claimed_at, looks_back)
		VALUES (?, ?, ?, ?, ?, 'claimed', ?, ?)
		ON CONFLICT (user_id, slot, source) DO NOTHING`,
		d.UserID, d.NudgeID, d.Kind, d.Source, unix(d.Slot), now, d.LooksBack)
	if err != nil {
		return d, false, fmt.Errorf("claim delivery for %s: %w", d.UserID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return d, false, nil
	}
	d.ID, err = res.LastInsertId()
	d.State, d.ClaimedAt = StateClaimed, fromUnix(now)
	return d, true, err
}

// ClaimNow records d, a nudge asked for with /lead-tip nudge (source
// SourceNow), unless the user has one asked for before that is still
// claimed: not yet confirmed sent, and not failed. Recovery sends that one
// or finds it posted (see StaleClaims), so a second would make two. The
// check and the claim are one transaction, so two requests at once make
// one claim. It returns false, having claimed nothing, if such a one
// exists or one with the same slot does.
func (db *DB) ClaimNow(ctx context.Context, d Delivery) (Delivery, bool, error) {
	var claimed bool
	err := db.withTx(ctx, func(tx *sql.Tx, now int64) error {
		var pending bool
		err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM deliveries
			WHERE user_id = ? AND source = ? AND state = ?)`, d.UserID, SourceNow, StateClaimed).Scan(&pending)
		if err != nil || pending {
			return err
		}
		d.Source = SourceNow
		d, claimed, err = insertDelivery(ctx, tx, d, now)
		return err
	})
	if err != nil {
		return d, false, fmt.Errorf("claim a nudge now for %s: %w", d.UserID, err)
	}
	return d, claimed, nil
}

// ClaimReask records the re-ask of orig (after "Not yet") as a new
// delivery and clears orig's pending re-ask, in one transaction. It returns
// false if the re-ask was already claimed.
func (db *DB) ClaimReask(ctx context.Context, orig Delivery) (Delivery, bool, error) {
	var d Delivery
	var claimed bool
	err := db.withTx(ctx, func(tx *sql.Tx, now int64) error {
		res, err := tx.ExecContext(ctx, `UPDATE deliveries SET reask_at = 0 WHERE id = ? AND reask_at = ?`, orig.ID, unix(orig.ReaskAt))
		if err != nil {
			return fmt.Errorf("claim re-ask of %d: %w", orig.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		d, claimed, err = insertDelivery(ctx, tx, Delivery{
			UserID: orig.UserID, NudgeID: orig.NudgeID, Kind: orig.Kind, Source: SourceReask, Slot: orig.ReaskAt,
		}, now)
		return err
	})
	return d, claimed, err
}

// MarkSent records that delivery id was posted as message ts in channel.
func (db *DB) MarkSent(ctx context.Context, id int64, channel, ts string) error {
	return db.withTx(ctx, func(tx *sql.Tx, now int64) error {
		_, err := tx.ExecContext(ctx, `UPDATE deliveries SET state = 'sent', channel = ?, ts = ?, sent_at = ? WHERE id = ?`,
			channel, ts, now, id)
		if err != nil {
			return fmt.Errorf("mark delivery %d sent: %w", id, err)
		}
		return nil
	})
}

// MarkFailed records that delivery id could not be posted and will not be
// retried.
func (db *DB) MarkFailed(ctx context.Context, id int64) error {
	return db.withTx(ctx, func(tx *sql.Tx, _ int64) error {
		if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET state = 'failed' WHERE id = ?`, id); err != nil {
			return fmt.Errorf("mark delivery %d failed: %w", id, err)
		}
		return nil
	})
}

// Delivery returns userID's delivery id. A delivery of another user is
// ErrNotFound, as if it did not exist.
func (db *DB) Delivery(ctx context.Context, userID string, id int64) (Delivery, error) {
	d, err := scanDelivery(db.read.QueryRowContext(ctx,
		`SELECT `+deliveryColumns+` FROM deliveries WHERE id = ? AND user_id = ?`, id, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return Delivery{}, fmt.Errorf("delivery %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Delivery{}, fmt.Errorf("delivery %d: %w", id, err)
	}
	return d, nil
}

// DeliveryByMessage returns userID's delivery posted as message ts in
// channel, or ErrNotFound.
func (db *DB) DeliveryByMessage(ctx context.Context, userID, channel, ts string) (Delivery, error) {
	d, err := scanDelivery(db.read.QueryRowContext(ctx,
		`SELECT `+deliveryColumns+` FROM deliveries WHERE channel = ? AND ts = ? AND user_id = ?`, channel, ts, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return Delivery{}, fmt.Errorf("delivery at %s/%s: %w", channel, ts, ErrNotFound)
	}
	if err != nil {
		return Delivery{}, fmt.Errorf("delivery at %s/%s: %w", channel, ts, err)
	}
	return d, nil
}

// LatestSent returns userID's most recent posted delivery sent at or after
// since, or ErrNotFound.
func (db *DB) LatestSent(ctx context.Context, userID string, since time.Time) (Delivery, error) {
	d, err := scanDelivery(db.read.QueryRowContext(ctx, `SELECT `+deliveryColumns+` FROM deliveries
		WHERE user_id = ? AND state = 'sent' AND sent_at >= ? ORDER BY sent_at DESC, id DESC LIMIT 1`, userID, unix(since)))
	if errors.Is(err, sql.ErrNoRows) {
		return Delivery{}, fmt.Errorf("latest delivery of %s: %w", userID, ErrNotFound)
	}
	if err != nil {
		return Delivery{}, fmt.Errorf("latest delivery of %s: %w", userID, err)
	}
	return d, nil
}

// Deliveries returns userID's deliveries, newest first, at most limit.
func (db *DB) Deliveries(ctx context.Context, userID string, limit int) ([]Delivery, error) {
	ds, err := queryDeliveries(ctx, db.read, `SELECT `+deliveryColumns+` FROM deliveries
		WHERE user_id = ? ORDER BY claimed_at DESC, id DESC LIMIT ?`, userID, limit)
	if err != nil {
		return nil, fmt.Errorf("deliveries of %s: %w", userID, err)
	}
	return ds, nil
}

// SetOutcome records a button press on userID's delivery id: done, not_yet
// (with the time to ask again) or skipped. A delivery that already has a
// button outcome keeps it, and SetOutcome returns false: the first press
// counts. A delivery of another user is ErrNotFound.
func (db *DB) SetOutcome(ctx context.Context, userID string, id int64, outcome string, reaskAt time.Time) (Delivery, bool, error) {
	var d Delivery
	var changed bool
	err := db.withTx(ctx, func(tx *sql.Tx, now int64) error {
		res, err := tx.ExecContext(ctx, `UPDATE deliveries SET outcome = ?, outcome_at = ?, reask_at = ?
			WHERE id = ? AND user_id = ? AND outcome IN ('', 'replied')`,
			outcome, now, unix(reaskAt), id, userID)
		if err != nil {
			return fmt.Errorf("set outcome of %d: %w", id, err)
		}
		n, _ := res.RowsAffected()
		changed = n == 1
		d, err = scanDelivery(tx.QueryRowContext(ctx,
			`SELECT `+deliveryColumns+` FROM deliveries WHERE id = ? AND user_id = ?`, id, userID))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("delivery %d: %w", id, ErrNotFound)
		}
		return err
	})
	return d, changed, err
}

// DueReasks returns deliveries whose "Not yet" re-ask time has come.
func (db *DB) DueReasks(ctx context.Context, now time.Time, limit int) ([]Delivery, error) {
	ds, err := queryDeliveries(ctx, db.read, `SELECT `+deliveryColumns+` FROM deliveries
		WHERE reask_at > 0 AND reask_at <= ? ORDER BY reask_at LIMIT ?`, unix(now), limit)
	if err != nil {
		return nil, fmt.Errorf("due re-asks: %w", err)
	}
	return ds, nil
}

// FollowupCandidates returns posted deliveries sent at or before sentBefore
// that have no outcome, no reply and no follow-up yet; look-backs never
// have a follow-up.
func (db *DB) FollowupCandidates(ctx context.Context, sentBefore time.Time, limit int) ([]Delivery, error) {
	ds, err := queryDeliveries(ctx, db.read, `SELECT `+deliveryColumns+` FROM deliveries
		WHERE state = 'sent' AND outcome = '' AND followup_at = 0 AND sent_at <= ? AND kind <> 'look-back'
		AND NOT EXISTS (SELECT 1 FROM replies r WHERE r.delivery_id = deliveries.id)
		ORDER BY sent_at LIMIT ?`, unix(sentBefore), limit)
	if err != nil {
		return nil, fmt.Errorf("follow-up candidates: %w", err)
	}
	return ds, nil
}

// ClaimFollowup marks delivery id as followed up, returning false if it
// was already: there is never more than one follow-up.
func (db *DB) ClaimFollowup(ctx context.Context, id int64) (bool, error) {
	return db.updateOne(ctx, fmt.Sprintf("claim follow-up of %d", id),
		`UPDATE deliveries SET followup_at = ? WHERE id = ? AND followup_at = 0`, id)
}

// StaleClaims returns deliveries claimed before before and still not marked
// sent or failed: the process that claimed them stopped before it knew
// whether the message was posted.
func (db *DB) StaleClaims(ctx context.Context, before time.Time, limit int) ([]Delivery, error) {
	ds, err := queryDeliveries(ctx, db.read, `SELECT `+deliveryColumns+` FROM deliveries
		WHERE state = 'claimed' AND claimed_at < ? ORDER BY claimed_at LIMIT ?`, unix(before), limit)
	if err != nil {
		return nil, fmt.Errorf("stale claims: %w", err)
	}
	return ds, nil
}

// Reclaim takes over an interrupted delivery d (from StaleClaims) by
// renewing its claim time. It returns false if another process took it
// over first, or it was marked sent or failed meanwhile.
func (db *DB) Reclaim(ctx context.Context, d Delivery) (bool, error) {
	return db.updateOne(ctx, fmt.Sprintf("reclaim delivery %d", d.ID),
		`UPDATE deliveries SET claimed_at = ?
			WHERE id = ? AND state = 'claimed' AND claimed_at = ?`, d.ID, unix(d.ClaimedAt))
}

// DeliveryExists reports whether a delivery with id is stored, whoever it
// is for: it tells a nudge deleted by forget from someone else's without
// reading anything of theirs.
func (db *DB) DeliveryExists(ctx context.Context, id int64) (bool, error) {
	return db.exists(ctx, fmt.Sprintf("delivery %d exists", id), `FROM deliveries WHERE id = ?`, id)
}

// HasClaimedDelivery reports whether userID has a delivery claimed and not
// yet marked sent or failed: its message may be in their DM unrecorded
// (the answer to posting it is awaited or was lost).
func (db *DB) HasClaimedDelivery(ctx context.Context, userID string) (bool, error) {
	return db.exists(ctx, "claimed delivery of "+userID, `FROM deliveries WHERE user_id = ? AND state = 'claimed'`, userID)
}
