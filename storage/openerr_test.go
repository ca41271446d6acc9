package storage

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOpenErrors: Open says which of its errors a failure is, so that the
// caller can say what to do, and never calls a file that is there but
// cannot be written one it could not create.
func TestOpenErrors(t *testing.T) {
	asRoot := os.Geteuid() == 0
	tests := []struct {
		name     string
		rootSkip bool                                  // file modes do not stop root
		path     func(t *testing.T, dir string) string // sets up the case
		want     error
		says     string // and the cause, in the system's or SQLite's words
	}{
		{"directory missing", false, func(t *testing.T, dir string) string {
			return filepath.Join(dir, "missing", "leadbot.db")
		}, ErrCannotCreate, "no such file or directory"},
		{"path is a directory", false, func(t *testing.T, dir string) string {
			return dir
		}, ErrCannotCreate, "is a directory"},
		{"not a database", false, func(t *testing.T, dir string) string {
			path := filepath.Join(dir, "notes.txt")
			writeFile(t, path, strings.Repeat("not a database\n", 600), 0o600)
			return path
		}, ErrNotDatabase, "file is not a database"},
		{"file read-only", true, func(t *testing.T, dir string) string {
			path := filepath.Join(dir, "leadbot.db")
			newDatabase(t, path)
			chmod(t, path, 0o400)
			return path
		}, ErrNotWritable, "permission denied"},
		{"directory read-only", true, func(t *testing.T, dir string) string {
			path := filepath.Join(dir, "leadbot.db")
			newDatabase(t, path)
			readOnlyDir(t, dir)
			return path
		}, ErrNotWritable, "readonly database"},
		{"new file in a read-only directory", true, func(t *testing.T, dir string) string {
			readOnlyDir(t, dir)
			return filepath.Join(dir, "leadbot.db")
		}, ErrCannotCreate, "permission denied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.rootSkip && asRoot {
				t.Skip("root may write any file")
			}
			path := tt.path(t, t.TempDir())
			db, err := Open(context.Background(), path)
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded")
			}
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.says) || !strings.Contains(err.Error(), path) {
				t.Errorf("Open = %v, want %v saying %q and naming the path", err, tt.want, tt.says)
			}
			if tt.want != ErrCannotCreate && strings.Contains(err.Error(), "create") {
				t.Errorf("Open = %v: the file is there, so it must not speak of creating it", err)
			}
		})
	}
}

// newDatabase creates a database at path and closes it.
func newDatabase(t *testing.T, path string) {
	t.Helper()
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
}

// readOnlyDir takes write permission on dir away until the test ends.
func readOnlyDir(t *testing.T, dir string) {
	t.Helper()
	chmod(t, dir, 0o500)
	t.Cleanup(func() { chmod(t, dir, 0o700) })
}

func chmod(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}
