package storage

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// ErrFileGone is returned by every write, and by CheckFile, once the
// database's path no longer names the file that Open opened: it was
// deleted, moved away or replaced, or its -wal file was deleted. SQLite
// goes on writing to the files it has open, so such a write would succeed
// and then be lost at the next start; it is refused instead, and nothing
// of it is written. Putting the file back makes writes work again;
// restarting opens whatever file is there now.
var ErrFileGone = errors.New("deleted or replaced while open")

// CheckFile returns nil if the database's path still names the file that
// Open opened, and its -wal file is there. Otherwise it returns an error
// wrapping ErrFileGone and naming the file, or the error of examining it.
// It costs two stat calls. Writes check it just before they commit (see
// withTx and runBatch), so a write that cannot reach the real file fails
// and its caller does not acknowledge what it was storing.
//
// The -wal file exists for as long as any connection has the database
// open (SQLite removes it when the last one closes): without it, what is
// committed now goes to a file nobody will find, and a connection opened
// afterwards reads another. The -shm file is not checked: SQLite rebuilds
// it from the -wal file, and losing it loses nothing.
func (db *DB) CheckFile() error {
	now, err := os.Stat(db.path)
	switch {
	case errors.Is(err, fs.ErrNotExist) || (err == nil && !os.SameFile(db.opened, now)):
		return fmt.Errorf("%s was %w", db.path, ErrFileGone)
	case err != nil:
		return fmt.Errorf("database file: %w", err)
	}
	if _, err := os.Stat(db.path + "-wal"); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s-wal was %w", db.path, ErrFileGone)
	} else if err != nil {
		return fmt.Errorf("database file: %w", err)
	}
	return nil
}

// guard opens the connections of a pool through c, and, once the database
// is open, only while CheckFile passes. Without it, a connection opened
// after the file was moved away or deleted would create an empty database
// at the path, and take the old -wal file for its own and empty it: what
// was committed but not yet checkpointed would be lost, and CheckFile
// would pass again on the new file.
type guard struct {
	c  driver.Connector
	db *DB
}

func (g guard) Connect(ctx context.Context) (driver.Conn, error) {
	if g.db.guarded.Load() {
		if err := g.db.CheckFile(); err != nil {
			return nil, err
		}
	}
	return g.c.Connect(ctx)
}

func (g guard) Driver() driver.Driver { return g.c.Driver() }
