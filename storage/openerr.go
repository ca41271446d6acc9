package storage

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Why Open failed, for callers to say what to do about it. Besides
// ErrCorrupt, these are the failures that depend on the file and its
// directory rather than on the program.
var (
	// ErrCannotCreate is returned by Open when there is no database file
	// and it cannot be created: its directory is missing or not writable.
	ErrCannotCreate = errors.New("cannot create the database file")
	// ErrNotWritable is returned by Open when the database file exists but
	// cannot be written, or the directory it is in cannot (SQLite keeps its
	// -wal and -shm files beside it).
	ErrNotWritable = errors.New("database file cannot be written")
	// ErrNotDatabase is returned by Open when the file is not a SQLite
	// database. The file is left as it is.
	ErrNotDatabase = errors.New("file is not a database")
)

// createPrivate makes sure the database file exists with mode 0600 before
// SQLite opens it: SQLite would otherwise create it with the umask's mode,
// and its -wal and -shm files copy the main file's mode. It returns
// ErrNotWritable for a file that is there but cannot be opened for
// writing, and ErrCannotCreate when there is none and it cannot be made
// (or path is a directory).
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err == nil {
		return f.Close()
	}
	cause := err
	var pe *fs.PathError
	if errors.As(err, &pe) {
		cause = pe.Err // the path is said once, by Open
	}
	if fi, statErr := os.Stat(path); statErr == nil && !fi.IsDir() {
		return fmt.Errorf("%w: %w", ErrNotWritable, cause)
	}
	return fmt.Errorf("%w: %w", ErrCannotCreate, cause)
}

// classify adds to err, from SQLite while opening the file, which of
// Open's errors it is: ErrNotWritable when SQLite may not write the file or
// its directory, ErrNotDatabase, or ErrCorrupt. Other errors are returned
// as they are.
func classify(err error) error {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code() & 0xff { // the primary result code
	case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN:
		return fmt.Errorf("%w: %w", ErrNotWritable, err)
	case sqlite3.SQLITE_NOTADB:
		return ErrNotDatabase // SQLite's own message says no more
	case sqlite3.SQLITE_CORRUPT:
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return err
}
