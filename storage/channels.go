package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Team channel states.
const (
	ChannelActive = "active" // posting every week
	ChannelPaused = "paused" // the bot could not post; set it again to resume
	ChannelOff    = "off"    // turned off by someone allowed to
)

// Sources of a team post.
const (
	TeamSourceSchedule = "schedule" // the channel's weekly slot
	TeamSourceNow      = "now"      // asked for with /lead-tip weekly now
)

// TeamChannel is a channel's weekly prompt setting.
type TeamChannel struct {
	ChannelID string
	TeamID    string
	OwnerID   string // who set it; told when it has to pause
	TZ        string // the owner's timezone when they set it
	Weekday   time.Weekday
	Minute    int // local time of day in TZ, minutes after midnight
	Status    string
	// PauseReason is the Slack error that paused the channel, "" if active.
	PauseReason     string
	PausedAt        time.Time
	OwnerNotifiedAt time.Time // when the owner was sent the one DM about the pause
	NextAt          time.Time // next week slot; zero if none
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// TeamPost is one weekly prompt posted, or being posted, in a channel.
type TeamPost struct {
	ID        int64
	ChannelID string
	PromptID  string
	Slot      time.Time // the week slot it belongs to; for "now", when it was asked for
	// Week is the calendar week it belongs to, Monday to Sunday in the
	// channel's timezone, as the date of its Monday (20261123): a channel
	// gets one post per week. The caller works it out (bot/calendar).
	Week      int
	Source    string
	State     string    // StateClaimed, StateSent or StateFailed
	TS        string    // the message's ts, once posted
	ClaimedAt time.Time // renewed when another process takes it over
	// RequestedAt is when it was first claimed; it never changes.
	RequestedAt time.Time
	SentAt      time.Time
}

// backfillTeamPostWeeks fills in the week of the posts made before
// migration 0006: the week of the slot, or of the request for "now". Of
// posts that share a week only the first gets it; the others keep 0,
// which the one-per-week index ignores.
func backfillTeamPostWeeks(ctx context.Context, tx *sql.Tx, weekOf func(time.Time, string) int) error {
	rows, err := tx.QueryContext(ctx, `SELECT p.id, p.channel_id, p.slot, p.source, p.state, p.requested_at, c.tz
		FROM team_posts p JOIN team_channels c USING (channel_id) ORDER BY p.id`)
	if err != nil {
		return fmt.Errorf("backfill team post weeks: %w", err)
	}
	type key struct {
		channel string
		week    int
	}
	weeks := map[int64]int{}
	taken := map[key]bool{}
	for rows.Next() {
		var id, slot, requested int64
		var channel, source, state, tz string
		if err := rows.Scan(&id, &channel, &slot, &source, &state, &requested, &tz); err != nil {
			rows.Close()
			return fmt.Errorf("backfill team post weeks: %w", err)
		}
		at := slot
		if source == TeamSourceNow {
			at = requested
		}
		if weekOf == nil {
			rows.Close()
			return errors.New("backfill team post weeks: the calendar is needed (storage.WithWeeks)")
		}
		week := weekOf(fromUnix(at), tz)
		if state != StateFailed {
			if taken[key{channel, week}] {
				continue
			}
			taken[key{channel, week}] = true
		}
		weeks[id] = week
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("backfill team post weeks: %w", err)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("backfill team post weeks: %w", err)
	}
	for id, week := range weeks {
		if _, err := tx.ExecContext(ctx, `UPDATE team_posts SET week = ? WHERE id = ?`, week, id); err != nil {
			return fmt.Errorf("backfill team post weeks: %w", err)
		}
	}
	return nil
}

// TeamReply is a message someone wrote in a weekly prompt's thread.
type TeamReply struct {
	ID        int64
	PostID    int64
	ChannelID string
	UserID    string
	TS        string
	Text      string
	CreatedAt time.Time
	EditedAt  time.Time
}

// ReplaceTeamChannel creates or replaces c's setting, but only if the
// channel's setting is still was, as the caller read it before deciding
// (found false: the channel had none). Saving it active clears any pause,
// so the owner is told again if it has to pause later. It returns false,
// and saves nothing, if someone changed the setting meanwhile: the
// caller's permission check may no longer hold.
func (db *DB) ReplaceTeamChannel(ctx context.Context, c, was TeamChannel, found bool) (bool, error) {
	var saved bool
	err := db.withTx(ctx, func(tx *sql.Tx, now int64) error {
		cur, err := scanTeamChannel(tx.QueryRowContext(ctx,
			`SELECT `+teamChannelColumns+` FROM team_channels WHERE channel_id = ?`, c.ChannelID))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if found {
				return nil
			}
		case err != nil:
			return fmt.Errorf("replace team channel %s: %w", c.ChannelID, err)
		case !found || !sameTeamSetting(cur, was):
			return nil
		}
		saved = true
		return saveTeamChannel(ctx, tx, c, now)
	})
	return saved, err
}

// sameTeamSetting reports whether a and b are the same version of a
// channel's setting.
func sameTeamSetting(a, b TeamChannel) bool {
	return a.Status == b.Status && a.OwnerID == b.OwnerID && a.TZ == b.TZ && a.Weekday == b.Weekday &&
		a.Minute == b.Minute && a.NextAt.Equal(b.NextAt) && a.UpdatedAt.Equal(b.UpdatedAt)
}

func saveTeamChannel(ctx context.Context, tx *sql.Tx, c TeamChannel, now int64) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO team_channels (channel_id, team_id, owner_id, tz, weekday, minute, status, next_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (channel_id) DO UPDATE SET
			team_id = CASE WHEN excluded.team_id <> '' THEN excluded.team_id ELSE team_channels.team_id END,
			owner_id = excluded.owner_id, tz = excluded.tz, weekday = excluded.weekday,
			minute = excluded.minute, status = excluded.status, next_at = excluded.next_at,
			pause_reason = '', paused_at = 0, owner_notified_at = 0,
			updated_at = excluded.updated_at`,
		c.ChannelID, c.TeamID, c.OwnerID, c.TZ, int(c.Weekday), c.Minute, c.Status, unix(c.NextAt), now, now)
	if err != nil {
		return fmt.Errorf("save team channel %s: %w", c.ChannelID, err)
	}
	return nil
}

const teamChannelColumns = `channel_id, team_id, owner_id, tz, weekday, minute, status, pause_reason,
	paused_at, owner_notified_at, next_at, created_at, updated_at`

func scanTeamChannel(row interface{ Scan(...any) error }) (TeamChannel, error) {
	var c TeamChannel
	var weekday int
	var paused, notified, next, created, updated int64
	err := row.Scan(&c.ChannelID, &c.TeamID, &c.OwnerID, &c.TZ, &weekday, &c.Minute, &c.Status, &c.PauseReason,
		&paused, &notified, &next, &created, &updated)
	c.Weekday = time.Weekday(weekday)
	c.PausedAt, c.OwnerNotifiedAt, c.NextAt = fromUnix(paused), fromUnix(notified), fromUnix(next)
	c.CreatedAt, c.UpdatedAt = fromUnix(created), fromUnix(updated)
	return c, err
}

// TeamChannel returns channelID's setting, or ErrNotFound if the weekly
// prompt was never turned on there.
func (db *DB) TeamChannel(ctx context.Context, channelID string) (TeamChannel, error) {
	c, err := scanTeamChannel(db.read.QueryRowContext(ctx,
		`SELECT `+teamChannelColumns+` FROM team_channels WHERE channel_id = ?`, channelID))
	if errors.Is(err, sql.ErrNoRows) {
		return TeamChannel{}, fmt.Errorf("team channel %s: %w", channelID, ErrNotFound)
	}
	if err != nil {
		return TeamChannel{}, fmt.Errorf("team channel %s: %w", channelID, err)
	}
	return c, nil
}

// TurnOffTeamChannel stops channelID's weekly prompt. The row stays, so the
// channel's prompt order carries on if it is turned on again. It returns
// false if there was nothing on to turn off.
func (db *DB) TurnOffTeamChannel(ctx context.Context, channelID string) (bool, error) {
	return db.updateOne(ctx, "turn off team channel "+channelID,
		`UPDATE team_channels SET status = 'off', next_at = 0, updated_at = ?
			WHERE channel_id = ? AND status <> 'off'`, channelID)
}

// DueTeamChannels returns up to limit active channels whose next slot is
// at or before now, earliest first.
func (db *DB) DueTeamChannels(ctx context.Context, now time.Time, limit int) ([]TeamChannel, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+teamChannelColumns+` FROM team_channels
		WHERE status = 'active' AND next_at > 0 AND next_at <= ? ORDER BY next_at LIMIT ?`, unix(now), limit)
	if err != nil {
		return nil, fmt.Errorf("due team channels: %w", err)
	}
	defer rows.Close()
	var out []TeamChannel
	for rows.Next() {
		c, err := scanTeamChannel(rows)
		if err != nil {
			return nil, fmt.Errorf("due team channels: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func advanceTeamChannel(ctx context.Context, tx *sql.Tx, channelID string, due, next time.Time, now int64) (bool, error) {
	ok, err := execOne(ctx, tx, `UPDATE team_channels SET next_at = ?, updated_at = ?
		WHERE channel_id = ? AND status = 'active' AND next_at = ?`, unix(next), now, channelID, unix(due))
	if err != nil {
		return false, fmt.Errorf("advance team channel %s: %w", channelID, err)
	}
	return ok, nil
}

// AdvanceTeamChannel moves channelID's next slot from due to next without
// a post (the slot was missed by more than the catch-up window). It
// returns false if due was no longer the next slot: another process
// handled it.
func (db *DB) AdvanceTeamChannel(ctx context.Context, channelID string, due, next time.Time) (bool, error) {
	var ok bool
	err := db.withTx(ctx, func(tx *sql.Tx, now int64) error {
		var err error
		ok, err = advanceTeamChannel(ctx, tx, channelID, due, next, now)
		return err
	})
	return ok, err
}

// insertTeamPost records p as claimed in its calendar week, unless that
// week (or p.Slot) has a post already. A post that failed (nothing reached
// the channel) gives its week back.
func insertTeamPost(ctx context.Context, tx *sql.Tx, p TeamPost, now int64) (TeamPost, bool, error) {
	if p.Week == 0 {
		return p, false, fmt.Errorf("claim team post in %s: no week given", p.ChannelID)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM team_posts WHERE channel_id = ? AND slot = ? AND state = 'failed'`,
		p.ChannelID, unix(p.Slot)); err != nil {
		return p, false, fmt.Errorf("claim team post in %s: %w", p.ChannelID, err)
	}
	// No conflict target: both the slot and the one-per-week index count.
	res, err := tx.ExecContext(ctx, `
		INSERT INTO team_posts (channel_id, prompt_id, slot, week, source, state, claimed_at, requested_at)
		VALUES (?, ?, ?, ?, ?, 'claimed', ?, ?)
		ON CONFLICT DO NOTHING`,
		p.ChannelID, p.PromptID, unix(p.Slot), p.Week, p.Source, now, now)
	if err != nil {
		return p, false, fmt.Errorf("claim team post in %s: %w", p.ChannelID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return p, false, nil
	}
	p.ID, err = res.LastInsertId()
	p.State, p.ClaimedAt, p.RequestedAt = StateClaimed, fromUnix(now), fromUnix(now)
	return p, true, err
}

// ClaimTeamSlot takes ownership of posting p (p.Slot, usually due, or a
// later slot when catching up) in p.ChannelID: in one transaction it moves
// the channel's next slot from due (the value the caller read) on to next
// and records p (source schedule, state claimed, in p.Week, the calendar
// week of p.Slot). It returns false, and records nothing, if another process or an
// earlier run moved the schedule on; it returns false but still moves the
// schedule on if the calendar week has its post already (from "weekly
// now", or from a schedule changed after that week's post).
func (db *DB) ClaimTeamSlot(ctx context.Context, p TeamPost, due, next time.Time) (TeamPost, bool, error) {
	var claimed bool
	err := db.withTx(ctx, func(tx *sql.Tx, now int64) error {
		ok, err := advanceTeamChannel(ctx, tx, p.ChannelID, due, next, now)
		if err != nil || !ok {
			return err
		}
		p.Source = TeamSourceSchedule
		p, claimed, err = insertTeamPost(ctx, tx, p, now)
		return err
	})
	return p, claimed, err
}

// ClaimTeamPost records p (source now, slot the time of the request) for
// p.Week, which must be the calendar week of the request. If the channel's next slot comes
// before next (the first slot after this week: the scheduler has not got
// to this week's yet) it is moved on to next in the same transaction, so
// the week is not posted twice. It returns the existing post and false if
// the week already has one.
func (db *DB) ClaimTeamPost(ctx context.Context, p TeamPost, next time.Time) (TeamPost, bool, error) {
	var claimed bool
	err := db.withTx(ctx, func(tx *sql.Tx, now int64) error {
		p.Source, p.Slot = TeamSourceNow, fromUnix(now)
		var err error
		p, claimed, err = insertTeamPost(ctx, tx, p, now)
		if err != nil {
			return err
		}
		if !claimed {
			p, err = scanTeamPost(tx.QueryRowContext(ctx, `SELECT `+teamPostColumns+` FROM team_posts
				WHERE channel_id = ? AND (slot = ? OR week = ?) AND state <> 'failed' ORDER BY week = ? DESC LIMIT 1`,
				p.ChannelID, unix(p.Slot), p.Week, p.Week))
			if err != nil {
				return fmt.Errorf("claim team post in %s: %w", p.ChannelID, err)
			}
			return nil
		}
		_, err = tx.ExecContext(ctx, `UPDATE team_channels SET next_at = ?, updated_at = ?
			WHERE channel_id = ? AND next_at > 0 AND next_at < ?`, unix(next), now, p.ChannelID, unix(next))
		if err != nil {
			return fmt.Errorf("claim team post in %s: %w", p.ChannelID, err)
		}
		return nil
	})
	return p, claimed, err
}

const teamPostColumns = `id, channel_id, prompt_id, slot, week, source, state, ts, claimed_at, requested_at, sent_at`

func scanTeamPost(row interface{ Scan(...any) error }) (TeamPost, error) {
	var p TeamPost
	var slot, claimed, requested, sent int64
	err := row.Scan(&p.ID, &p.ChannelID, &p.PromptID, &slot, &p.Week, &p.Source, &p.State, &p.TS, &claimed, &requested, &sent)
	p.Slot, p.ClaimedAt, p.RequestedAt, p.SentAt = fromUnix(slot), fromUnix(claimed), fromUnix(requested), fromUnix(sent)
	return p, err
}

func (db *DB) queryTeamPosts(ctx context.Context, query string, args ...any) ([]TeamPost, error) {
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []TeamPost
	for rows.Next() {
		p, err := scanTeamPost(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func (db *DB) oneTeamPost(ctx context.Context, what, query string, args ...any) (TeamPost, error) {
	p, err := scanTeamPost(db.read.QueryRowContext(ctx, `SELECT `+teamPostColumns+` FROM team_posts `+query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return TeamPost{}, fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	if err != nil {
		return TeamPost{}, fmt.Errorf("%s: %w", what, err)
	}
	return p, nil
}

// TeamPostInWeek returns channelID's post for the calendar week week (see
// WeekOf), claimed or sent, or ErrNotFound if the week has none.
func (db *DB) TeamPostInWeek(ctx context.Context, channelID string, week int) (TeamPost, error) {
	return db.oneTeamPost(ctx, fmt.Sprintf("team post of %s in week %d", channelID, week),
		`WHERE channel_id = ? AND week = ? AND state <> 'failed'`, channelID, week)
}

// TeamPostByMessage returns the post shown as message ts in channelID, or
// ErrNotFound: the message is not one of our weekly prompts.
func (db *DB) TeamPostByMessage(ctx context.Context, channelID, ts string) (TeamPost, error) {
	return db.oneTeamPost(ctx, "team post at "+channelID+"/"+ts, `WHERE channel_id = ? AND ts = ? AND state = 'sent'`, channelID, ts)
}

// HasClaimedTeamPost reports whether channelID has a post claimed and not
// yet marked sent or failed: its message may be in the channel unrecorded
// (the answer to posting it is awaited or was lost).
func (db *DB) HasClaimedTeamPost(ctx context.Context, channelID string) (bool, error) {
	return db.exists(ctx, "claimed team post in "+channelID, `FROM team_posts WHERE channel_id = ? AND state = 'claimed'`, channelID)
}

// PreviousTeamPost returns the latest post in channelID sent before post
// beforeID, or ErrNotFound if there was none.
func (db *DB) PreviousTeamPost(ctx context.Context, channelID string, beforeID int64) (TeamPost, error) {
	return db.oneTeamPost(ctx, "team post before "+channelID+"/"+fmt.Sprint(beforeID),
		`WHERE channel_id = ? AND id < ? AND state = 'sent' ORDER BY id DESC LIMIT 1`, channelID, beforeID)
}

// TeamPosts returns channelID's posts that were not given up on (claimed
// or sent), oldest first: the order in which its prompts were used.
func (db *DB) TeamPosts(ctx context.Context, channelID string) ([]TeamPost, error) {
	ps, err := db.queryTeamPosts(ctx, `SELECT `+teamPostColumns+` FROM team_posts
		WHERE channel_id = ? AND state <> 'failed' ORDER BY id`, channelID)
	if err != nil {
		return nil, fmt.Errorf("team posts of %s: %w", channelID, err)
	}
	return ps, nil
}

// MarkTeamPostSent records that post id was posted as message ts.
func (db *DB) MarkTeamPostSent(ctx context.Context, id int64, ts string) error {
	return db.withTx(ctx, func(tx *sql.Tx, now int64) error {
		if _, err := tx.ExecContext(ctx, `UPDATE team_posts SET state = 'sent', ts = ?, sent_at = ? WHERE id = ?`, ts, now, id); err != nil {
			return fmt.Errorf("mark team post %d sent: %w", id, err)
		}
		return nil
	})
}

// MarkTeamPostFailed records that post id could not be posted and will
// not be retried.
func (db *DB) MarkTeamPostFailed(ctx context.Context, id int64) error {
	return db.withTx(ctx, func(tx *sql.Tx, _ int64) error {
		if _, err := tx.ExecContext(ctx, `UPDATE team_posts SET state = 'failed' WHERE id = ? AND state = 'claimed'`, id); err != nil {
			return fmt.Errorf("mark team post %d failed: %w", id, err)
		}
		return nil
	})
}

// PauseTeamChannel pauses channelID because the bot cannot post there
// (reason is the Slack error), marks post postID (0 for none) failed, and
// claims the one DM to the owner, in one transaction. It returns true only
// to the caller that paused an active channel: that caller, and no other,
// tells the owner. A channel already paused or off is left as it is.
func (db *DB) PauseTeamChannel(ctx context.Context, channelID string, postID int64, reason string) (bool, error) {
	var paused bool
	err := db.withTx(ctx, func(tx *sql.Tx, now int64) error {
		if postID != 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE team_posts SET state = 'failed' WHERE id = ? AND state = 'claimed'`, postID); err != nil {
				return fmt.Errorf("pause team channel %s: %w", channelID, err)
			}
		}
		var err error
		paused, err = execOne(ctx, tx, `UPDATE team_channels
			SET status = 'paused', pause_reason = ?, paused_at = ?, owner_notified_at = ?, updated_at = ?
			WHERE channel_id = ? AND status = 'active'`, reason, now, now, now, channelID)
		if err != nil {
			return fmt.Errorf("pause team channel %s: %w", channelID, err)
		}
		return nil
	})
	return paused, err
}

// StaleTeamPosts returns posts claimed before before and still not marked
// sent or failed: the process that claimed them stopped before it knew
// whether the message was posted.
func (db *DB) StaleTeamPosts(ctx context.Context, before time.Time, limit int) ([]TeamPost, error) {
	ps, err := db.queryTeamPosts(ctx, `SELECT `+teamPostColumns+` FROM team_posts
		WHERE state = 'claimed' AND claimed_at < ? ORDER BY claimed_at LIMIT ?`, unix(before), limit)
	if err != nil {
		return nil, fmt.Errorf("stale team posts: %w", err)
	}
	return ps, nil
}

// ReclaimTeamPost takes over an interrupted post p (from StaleTeamPosts)
// by renewing its claim time (not RequestedAt). It returns false if
// another process took it over first, or it was marked sent or failed
// meanwhile.
func (db *DB) ReclaimTeamPost(ctx context.Context, p TeamPost) (bool, error) {
	return db.updateOne(ctx, fmt.Sprintf("reclaim team post %d", p.ID),
		`UPDATE team_posts SET claimed_at = ?
			WHERE id = ? AND state = 'claimed' AND claimed_at = ?`, p.ID, unix(p.ClaimedAt))
}

// RecordTeamReply stores r, a reply in the thread of post r.PostID, in one
// transaction together with the event id, so that Slack delivering the
// same event again stores nothing twice. A reply whose edit arrived before
// it is stored with the edited text; one whose deletion did is not stored
// at all. It returns false if nothing was stored: the event or the message
// was already recorded, the message was deleted, or the post is not in
// r.ChannelID.
func (db *DB) RecordTeamReply(ctx context.Context, eventID string, r TeamReply) (bool, error) {
	var stored bool
	err := db.withTx(ctx, func(tx *sql.Tx, now int64) error {
		if eventID != "" {
			first, err := markEvent(ctx, tx, eventID, now)
			if err != nil || !first {
				return err
			}
		}
		text, edited := r.Text, int64(0)
		if keep, err := lateMessage(ctx, tx, r.ChannelID, r.TS, r.UserID, &text, &edited); err != nil || !keep {
			return err
		}
		res, err := tx.ExecContext(ctx, `
			INSERT INTO team_replies (post_id, channel_id, user_id, ts, text, created_at, edited_at)
			SELECT id, ?, ?, ?, ?, ?, ? FROM team_posts WHERE id = ? AND channel_id = ?
			ON CONFLICT (channel_id, ts) DO NOTHING`,
			r.ChannelID, r.UserID, r.TS, text, now, edited, r.PostID, r.ChannelID)
		if err != nil {
			return fmt.Errorf("record team reply %s/%s: %w", r.ChannelID, r.TS, err)
		}
		n, _ := res.RowsAffected()
		stored = n == 1
		return nil
	})
	return stored, err
}

// EditTeamReply replaces the text of userID's team reply at channelID/ts
// (they edited the message). If no message is stored there (yet), the
// edit is kept for RecordTeamReply. It returns false if no reply was
// changed or the event was already handled.
func (db *DB) EditTeamReply(ctx context.Context, eventID, userID, channelID, ts, text string) (bool, error) {
	return db.changeReply(ctx, eventID, channelID, ts, tombstone{userID: userID, text: text},
		`UPDATE team_replies SET text = ?, edited_at = ?
		WHERE channel_id = ? AND ts = ? AND user_id = ?`, func(now int64) []any {
			return []any{text, now, channelID, ts, userID}
		})
}

// DeleteTeamReply removes the team reply at channelID/ts (the message was
// deleted). If no message is stored there (yet), the deletion is kept, so
// that RecordTeamReply does not store it later. It returns false if no
// reply was removed or the event was already handled.
func (db *DB) DeleteTeamReply(ctx context.Context, eventID, channelID, ts string) (bool, error) {
	return db.changeReply(ctx, eventID, channelID, ts, tombstone{deleted: true},
		`DELETE FROM team_replies WHERE channel_id = ? AND ts = ?`,
		func(int64) []any { return []any{channelID, ts} })
}

// TeamRepliers returns how many different people replied to post postID
// (replies since deleted do not count).
func (db *DB) TeamRepliers(ctx context.Context, postID int64) (int, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT count(DISTINCT user_id) FROM team_replies WHERE post_id = ?`, postID).Scan(&n); err != nil {
		return 0, fmt.Errorf("team repliers of %d: %w", postID, err)
	}
	return n, nil
}
