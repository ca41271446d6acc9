package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/leadcoach/leadbot/bot/calendar"
	"github.com/leadcoach/leadbot/storage"
)

// openDatabase opens the database at path as every command does. Its
// error names LEADBOT_DB, says what is wrong and, where the file or its
// directory is the trouble, what to do about it.
func openDatabase(ctx context.Context, path string) (*storage.DB, error) {
	db, err := storage.Open(ctx, path, storage.WithWeeks(calendar.WeekKey))
	if err != nil {
		return nil, databaseError(err)
	}
	return db, nil
}

// databaseError adds what to do to err from storage.Open.
func databaseError(err error) error {
	var fix string
	switch {
	case errors.Is(err, storage.ErrCannotCreate):
		fix = "set LEADBOT_DB to a file in a directory that exists and that the bot may write to"
	case errors.Is(err, storage.ErrNotWritable):
		fix = "the bot must be able to write the file and its directory (SQLite keeps -wal and -shm files beside it): " +
			"check their owner and permissions, or set LEADBOT_DB to another path"
	case errors.Is(err, storage.ErrNotDatabase):
		fix = "set LEADBOT_DB to the bot's database, or to a file that does not exist yet to start a new one"
	case errors.Is(err, storage.ErrCorrupt):
		fix = "restore the file from a backup, or move it aside to start with an empty database"
	default:
		return fmt.Errorf("LEADBOT_DB: %w", err)
	}
	return fmt.Errorf("LEADBOT_DB: %w; %s", err, fix)
}
