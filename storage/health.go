package storage

import (
	"context"
	"database/sql"
	"fmt"
)

// CheckWrite commits a write, as every other write is committed, to check
// that the database can be written now: reads go on working while the disk
// is full or the file has become read-only, and only a write fails. It
// rewrites the one row of write_check, so the file does not grow, and
// costs one commit (an fsync). It returns the write's error, e.g.
// "database or disk is full".
func (db *DB) CheckWrite(ctx context.Context) error {
	err := db.withTx(ctx, func(tx *sql.Tx, now int64) error {
		_, err := tx.ExecContext(ctx, `UPDATE write_check SET checked_at = ? WHERE id = 1`, now)
		return err
	})
	if err != nil {
		return fmt.Errorf("check write: %w", err)
	}
	return nil
}
