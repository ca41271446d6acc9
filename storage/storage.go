// Package storage keeps Lead Coach's state in one SQLite file: users, what
// was sent to them and what they answered. It owns the schema (numbered
// migrations embedded in the binary) and every query; callers get plain
// structs and named errors.
package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sync/atomic"
	"time"

	"modernc.org/sqlite" // registers the "sqlite" driver (pure Go, no cgo)
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrNotFound is returned when a requested row does not exist.
var ErrNotFound = errors.New("not found")

// ErrCorrupt is returned by Open when SQLite finds the database file
// damaged. The file is left as it is, to be restored from a backup.
var ErrCorrupt = errors.New("database file is corrupt")

// BusyTimeout is how long a write waits for another connection's lock
// before failing with SQLITE_BUSY.
const BusyTimeout = 5 * time.Second

// DB is an open Lead Coach database. Writes go through a single connection
// (SQLite allows one writer at a time, and one connection avoids lock
// contention inside the process); reads use a small pool of their own.
type DB struct {
	write *sql.DB
	read  *sql.DB
	path  string
	// opened is the file at path when it was opened: writes check that
	// path still names it (CheckFile).
	opened os.FileInfo
	// guarded is set once opened is: from then on a new connection opens
	// only while CheckFile passes (see guard).
	guarded atomic.Bool
	now     func() time.Time
	busy    time.Duration // how long a write waits for a lock (BusyTimeout)
	batch   committer     // group commit for hot writes (batch.go)
	// weekOf tells the calendar week (see TeamPost.Week) that t falls in,
	// in the timezone named tz; only migration 0006 needs it.
	weekOf func(t time.Time, tz string) int
}

// Option changes how Open sets up the database.
type Option func(*DB)

// WithClock makes the database use now instead of time.Now for the times it
// records. Tests use it to fix "now".
func WithClock(now func() time.Time) Option {
	return func(db *DB) { db.now = now }
}

// WithBusyTimeout makes a write wait up to d, instead of BusyTimeout, for
// another connection's lock before failing. Tests of a locked database use
// it to fail sooner.
func WithBusyTimeout(d time.Duration) Option {
	return func(db *DB) { db.busy = d }
}

// WithWeeks gives Open the calendar's week function, which migration 0006
// needs to file the weekly posts made before it under their week. The
// calendar lives with the bot (bot/calendar); storage computes no weeks of
// its own. Without it, opening a database that has such posts fails.
func WithWeeks(weekOf func(t time.Time, tz string) int) Option {
	return func(db *DB) { db.weekOf = weekOf }
}

// Open opens (creating if needed, with mode 0600) the SQLite database at
// path and applies any pending migrations. It returns an error if the file
// cannot be created (ErrCannotCreate) or written (ErrNotWritable), is not
// a SQLite database (ErrNotDatabase), is damaged (ErrCorrupt), or a
// migration fails; in that case nothing is changed on disk beyond what a
// completed migration wrote.
func Open(ctx context.Context, path string, opts ...Option) (*DB, error) {
	db := &DB{path: path, now: time.Now, busy: BusyTimeout}
	for _, opt := range opts {
		opt(db)
	}
	if err := createPrivate(path); err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}

	write, err := sqlite.NewConnector(dsn(path, false, db.busy))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	read, err := sqlite.NewConnector(dsn(path, true, db.busy))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.write = sql.OpenDB(guard{write, db})
	db.write.SetMaxOpenConns(1)
	db.write.SetConnMaxIdleTime(0)
	db.write.SetConnMaxLifetime(0)

	db.read = sql.OpenDB(guard{read, db})
	db.read.SetMaxOpenConns(4)

	if err := connect(ctx, db.write, db.busy); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, classify(err))
	}
	if db.opened, err = os.Stat(path); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, classify(err))
	}
	db.guarded.Store(true)
	if err := quickCheck(ctx, db.write); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, classify(err))
	}
	if err := migrate(ctx, db.write, migrationFiles, db.now, db.weekOf); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, classify(err))
	}
	return db, nil
}

// connect opens the first write connection. Its pragmas switch a new file
// to WAL, which needs the file to itself, and SQLite answers SQLITE_BUSY at
// once rather than waiting when another process is doing the same: so two
// processes starting on a new file at the same moment would see one of them
// fail. connect waits for the lock as busy_timeout would, for as long (busy).
func connect(ctx context.Context, db *sql.DB, busy time.Duration) error {
	deadline := time.Now().Add(busy)
	for {
		err := db.PingContext(ctx)
		var se *sqlite.Error
		if err == nil || !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_BUSY || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// quickCheck runs SQLite's quick_check, which reads every page of the file
// (a few milliseconds a megabyte), so that a damaged file stops the bot at
// start, before a migration or a write can make it worse, rather than
// failing query by query later. It returns ErrCorrupt with the first
// problem found.
func quickCheck(ctx context.Context, db *sql.DB) error {
	var result string
	if err := db.QueryRowContext(ctx, "PRAGMA quick_check(1)").Scan(&result); err != nil {
		return fmt.Errorf("check database: %w", err)
	}
	if result != "ok" {
		return fmt.Errorf("%w: %s", ErrCorrupt, result)
	}
	return nil
}

// dsn builds the modernc.org/sqlite connection string. Writes take the
// write lock when the transaction begins (_txlock=immediate), so two
// processes on one file queue up instead of failing half-way with
// SQLITE_BUSY on upgrade.
func dsn(path string, readOnly bool, busy time.Duration) string {
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busy.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	// FULL: a committed reply survives power loss, not only a crash.
	q.Add("_pragma", "synchronous(FULL)")
	if readOnly {
		// mode=ro as well as query_only: a read connection opened after
		// the file was moved away must fail, not create an empty database
		// at the path and take the old -wal file for its own.
		q.Set("mode", "ro")
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// Close closes the database. Pending writes are complete when it returns.
func (db *DB) Close() error {
	var errs []error
	if db.read != nil {
		errs = append(errs, db.read.Close())
	}
	if db.write != nil {
		errs = append(errs, db.write.Close())
	}
	return errors.Join(errs...)
}

// Ping checks that the database answers a query. It returns the driver's
// error if not.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// Path returns the file the database was opened from.
func (db *DB) Path() string { return db.path }

// exists reports whether the query, "FROM … WHERE …", finds a row. what
// names it in the error.
func (db *DB) exists(ctx context.Context, what, from string, args ...any) (bool, error) {
	var found bool
	if err := db.read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 `+from+`)`, args...).Scan(&found); err != nil {
		return false, fmt.Errorf("%s: %w", what, err)
	}
	return found, nil
}

// updateOne runs the write statement query in a transaction of its own,
// with the current time (Unix seconds) as its first argument, and reports
// whether it changed exactly one row. It is the compare-and-set by which a
// process claims or moves on a row that another process may be claiming
// too. what names the operation in the error.
func (db *DB) updateOne(ctx context.Context, what, query string, args ...any) (bool, error) {
	var ok bool
	err := db.withTx(ctx, func(tx *sql.Tx, now int64) error {
		var err error
		ok, err = execOne(ctx, tx, query, append([]any{now}, args...)...)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("%s: %w", what, err)
	}
	return ok, nil
}

// execOne runs query in tx and reports whether it changed exactly one row.
func execOne(ctx context.Context, tx *sql.Tx, query string, args ...any) (bool, error) {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// withTx runs fn inside one write transaction, committing if fn returns nil
// and rolling back otherwise. "now" is fixed once for the whole transaction.
// It rolls back with ErrFileGone if the database file is no longer at its
// path (CheckFile): the commit would be lost.
func (db *DB) withTx(ctx context.Context, fn func(tx *sql.Tx, now int64) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if err := fn(tx, db.now().UTC().Unix()); err != nil {
		return err
	}
	if err := db.CheckFile(); err != nil {
		return err
	}
	return tx.Commit()
}
