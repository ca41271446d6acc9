package storage

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// withDelivery saves user U1 and a delivery posted as D1/1.000100, and
// returns it.
func withDelivery(t *testing.T, db *DB) Delivery {
	t.Helper()
	ctx := context.Background()
	if err := db.SaveUser(ctx, User{ID: "U1", TeamID: "T1"}); err != nil {
		t.Fatal(err)
	}
	d, _, err := db.claimDelivery(ctx, Delivery{UserID: "U1", NudgeID: "n1", Kind: "delegate", Source: SourceNow, Slot: t0})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.MarkSent(ctx, d.ID, "D1", "1.000100"); err != nil {
		t.Fatal(err)
	}
	return d
}

func reply(d Delivery, ts, text string) Reply {
	return Reply{DeliveryID: d.ID, UserID: "U1", Channel: "D1", TS: ts, ThreadTS: "1.000100", Text: text, Via: ViaThread}
}

// TestRepliesStoredByteExact: whatever a user writes is stored and read
// back byte for byte, edits included: long text, bytes that are not UTF-8,
// NUL, zero-width and right-to-left characters, and mrkdwn or mentions,
// which are escaped only when shown, never when stored.
func TestRepliesStoredByteExact(t *testing.T) {
	db := openTest(t, WithClock(func() time.Time { return t0 }))
	d := withDelivery(t, db)
	ctx := context.Background()
	texts := map[string]string{
		"40,000 characters": strings.Repeat("Delegated the release, ", 2000)[:40000],
		"invalid UTF-8":     "ok \xff\xfe\xfd \xc3\x28 end",
		"NUL":               "before\x00after",
		"zero-width":        "zero\u200bwidth\u200c\u200d\ufeff joiner",
		"right-to-left":     "\u202eknab\u202c \u2067rtl\u2069 مرحبا",
		"mrkdwn":            "<!channel> <!here> <@U123> <https://evil|bank> *bold* `code` &amp; &lt;",
		"emoji and CRLF":    "👩🏽‍💻 done\r\nnext line\ttab",
	}
	i := 0
	for name, text := range texts {
		i++
		ts := "2." + strings.Repeat("0", 5) + string(rune('0'+i))
		if stored, err := db.RecordReply(ctx, "Ev"+name, reply(d, ts, text)); err != nil || !stored {
			t.Fatalf("%s: RecordReply = %v, %v", name, stored, err)
		}
	}
	rs, err := db.Replies(ctx, "U1", d.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, r := range rs {
		got[r.Text] = true
	}
	for name, text := range texts {
		if !got[text] {
			t.Errorf("%s: not read back byte for byte", name)
		}
	}
	// An edit to weird text is stored as exactly too.
	edit := "\x00<!everyone>\xff" + texts["right-to-left"]
	if ok, err := db.EditReply(ctx, "EvEdit", "U1", "D1", "2.000001", edit); err != nil || !ok {
		t.Fatalf("EditReply = %v, %v", ok, err)
	}
	rs, _ = db.Replies(ctx, "U1", d.ID)
	found := false
	for _, r := range rs {
		found = found || r.Text == edit
	}
	if !found {
		t.Error("edited text not read back byte for byte")
	}
}

// TestDiskFull: when the database cannot grow (SQLite's max_page_count
// stands in for a full disk), recording a reply fails with an error and
// leaves nothing behind, not even the event id, so that Slack's redelivery
// stores it once there is room again. What was stored before is intact.
func TestDiskFull(t *testing.T) {
	db := openTest(t, WithClock(func() time.Time { return t0 }))
	d := withDelivery(t, db)
	ctx := context.Background()
	if _, err := db.RecordReply(ctx, "EvBefore", reply(d, "2.000001", "stored before the disk filled up")); err != nil {
		t.Fatal(err)
	}
	// The write pool has one connection, so the limit applies to every
	// write the DB makes.
	var pages int
	if err := db.write.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.ExecContext(ctx, "PRAGMA max_page_count = "+strconv.Itoa(pages)); err != nil {
		t.Fatal(err)
	}

	big := reply(d, "2.000002", strings.Repeat("a long answer that needs new pages ", 2000))
	stored, err := db.RecordReply(ctx, "EvFull", big)
	if err == nil || stored {
		t.Fatalf("RecordReply on a full disk = %v, %v; want an error", stored, err)
	}
	if !strings.Contains(err.Error(), "full") {
		t.Errorf("error %q does not say the database is full", err)
	}
	rs, _ := db.Replies(ctx, "U1", d.ID)
	if len(rs) != 1 || rs[0].Text != "stored before the disk filled up" {
		t.Errorf("replies after the failed write: %+v", rs)
	}
	got, _ := db.Delivery(ctx, "U1", d.ID)
	if got.Outcome != OutcomeReplied {
		t.Errorf("outcome = %q, want replied (from the first reply)", got.Outcome)
	}

	if _, err := db.write.ExecContext(ctx, "PRAGMA max_page_count = 1073741823"); err != nil {
		t.Fatal(err)
	}
	// Slack delivers the event again: it is stored, once.
	for range 2 {
		if _, err := db.RecordReply(ctx, "EvFull", big); err != nil {
			t.Fatalf("RecordReply after room was made: %v", err)
		}
	}
	if rs, _ := db.Replies(ctx, "U1", d.ID); len(rs) != 2 {
		t.Errorf("%d replies after the redelivery, want 2", len(rs))
	}
}

// TestDatabaseLocked: another process holding the write lock for longer
// than the busy timeout makes a write fail (it does not hang, and does not
// half-record); once the lock is released the same write succeeds.
func TestDatabaseLocked(t *testing.T) {
	t.Parallel() // waits out the 5 s busy timeout
	path := filepath.Join(t.TempDir(), "leadbot.db")
	ctx := context.Background()
	db, err := Open(ctx, path, WithClock(func() time.Time { return t0 }))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	d := withDelivery(t, db)

	other, err := sql.Open("sqlite", dsn(path, false, BusyTimeout))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	tx, err := other.BeginTx(ctx, nil) // _txlock=immediate: takes the write lock now
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, "UPDATE users SET tz = 'Europe/Berlin' WHERE id = 'U1'"); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	stored, err := db.RecordReply(ctx, "EvLocked", reply(d, "2.000001", "written while locked"))
	if err == nil || stored {
		t.Fatalf("RecordReply under another writer's lock = %v, %v; want an error", stored, err)
	}
	// Only the lower bound is checked: it waited for the lock rather than
	// failing at once (a slow machine can only make the wait longer).
	if waited := time.Since(start); waited < BusyTimeout-time.Second {
		t.Errorf("gave up after %v, want to wait out the busy timeout (%v)", waited, BusyTimeout)
	}
	if !strings.Contains(err.Error(), "locked") && !strings.Contains(err.Error(), "busy") {
		t.Errorf("error %q does not say the database is locked", err)
	}
	// Reads go on while the lock is held (WAL).
	if _, err := db.Delivery(ctx, "U1", d.ID); err != nil {
		t.Errorf("read during the lock: %v", err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if stored, err := db.RecordReply(ctx, "EvLocked", reply(d, "2.000001", "written while locked")); err != nil || !stored {
		t.Errorf("RecordReply after the lock = %v, %v; want stored", stored, err)
	}
}

// damagePage makes the last b-tree leaf page of the database file at path
// unreadable (an invalid page type, as a bad sector or a torn write would
// leave it) and returns the file's new content.
func damagePage(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const pageSize = 4096
	for p := len(b)/pageSize - 1; p > 0; p-- {
		if b[p*pageSize] == 0x0a || b[p*pageSize] == 0x0d { // index or table leaf
			b[p*pageSize] = 0xff
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
	t.Fatal("no leaf page to damage")
	return nil
}

// TestOpenRefusesDamagedPages: a database whose pages SQLite cannot read,
// though its header and schema are fine, is refused at Open with
// ErrCorrupt (not later, query by query), and the file is not changed.
func TestOpenRefusesDamagedPages(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leadbot.db")
	ctx := context.Background()
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.ExecContext(ctx, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
		INSERT INTO users (id, team_id, created_at, updated_at) SELECT printf('U%06d', i), 'T1', 0, 0 FROM n`); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	damaged := damagePage(t, path)

	db, err = Open(ctx, path)
	if err == nil {
		db.Close()
		t.Fatal("Open of a damaged file succeeded")
	}
	if !errors.Is(err, ErrCorrupt) {
		t.Errorf("Open = %v, want ErrCorrupt", err)
	}
	if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, damaged) {
		t.Errorf("the damaged file was changed (%v)", err)
	}
}
