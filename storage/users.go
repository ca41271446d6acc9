package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// User is a Slack user the bot knows.
type User struct {
	ID          string    // Slack user id, e.g. U012AB3CD
	TeamID      string    // Slack workspace id
	TZ          string    // IANA timezone name from users.info, "" if unknown
	TZCheckedAt time.Time // when TZ was last read from Slack; zero if never
	DMChannel   string    // the bot's DM channel with the user, "" until opened
	HomeOpened  time.Time // when the user last opened the Home tab; zero if never
}

// SaveUser creates the user or updates their team and, when set, their
// timezone and DM channel. Empty fields never overwrite stored values.
func (db *DB) SaveUser(ctx context.Context, u User) error {
	return db.withTx(ctx, func(tx *sql.Tx, now int64) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO users (id, team_id, tz, tz_checked_at, dm_channel, home_opened_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET
				team_id        = CASE WHEN excluded.team_id <> '' THEN excluded.team_id ELSE users.team_id END,
				tz             = CASE WHEN excluded.tz <> '' THEN excluded.tz ELSE users.tz END,
				tz_checked_at  = max(users.tz_checked_at, excluded.tz_checked_at),
				dm_channel     = CASE WHEN excluded.dm_channel <> '' THEN excluded.dm_channel ELSE users.dm_channel END,
				home_opened_at = max(users.home_opened_at, excluded.home_opened_at),
				updated_at     = excluded.updated_at`,
			u.ID, u.TeamID, u.TZ, unix(u.TZCheckedAt), u.DMChannel, unix(u.HomeOpened), now, now)
		if err != nil {
			return fmt.Errorf("save user %s: %w", u.ID, err)
		}
		return nil
	})
}

// User returns the stored user with id, or ErrNotFound.
func (db *DB) User(ctx context.Context, id string) (User, error) {
	var u User
	var checked, home int64
	err := db.read.QueryRowContext(ctx,
		"SELECT id, team_id, tz, tz_checked_at, dm_channel, home_opened_at FROM users WHERE id = ?", id).
		Scan(&u.ID, &u.TeamID, &u.TZ, &checked, &u.DMChannel, &home)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("user %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("user %s: %w", id, err)
	}
	u.TZCheckedAt, u.HomeOpened = fromUnix(checked), fromUnix(home)
	return u, nil
}
