package storage

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// migrationsUpTo returns the embedded migrations numbered up to last.
func migrationsUpTo(t *testing.T, last string) fstest.MapFS {
	t.Helper()
	out := fstest.MapFS{}
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if filepath.Base(name)[:4] > last {
			continue
		}
		body, err := fs.ReadFile(migrationFiles, name)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = &fstest.MapFile{Data: body}
	}
	return out
}

// A database from before migrations 0006 and 0007 gets the calendar week
// of its team posts and digests: in the channel's timezone, the first post
// of a week keeping it when a schedule change had posted twice, and a
// digest's week from its Friday slot.
func TestMigrationsBackfillWeeks(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "leadbot.db")
	if err := createPrivate(path); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", dsn(path, false, BusyTimeout))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	now := func() time.Time { return time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC) }
	if err := migrate(ctx, raw, migrationsUpTo(t, "0005"), now, nil); err != nil {
		t.Fatal(err)
	}
	la, _ := time.LoadLocation("America/Los_Angeles")
	// Sunday 29 November 20:00 in Los Angeles is Monday 30 November in UTC:
	// the week is the one of Monday 23 November there.
	sundayEvening := time.Date(2026, 11, 29, 20, 0, 0, 0, la).Unix()
	monday := time.Date(2026, 11, 23, 9, 0, 0, 0, la).Unix()
	nextMonday := time.Date(2026, 11, 30, 9, 0, 0, 0, la).Unix()
	friday := time.Date(2026, 11, 27, 16, 0, 0, 0, la).Unix()
	for _, q := range []string{
		`INSERT INTO users (id, team_id, tz, created_at, updated_at) VALUES ('U0ANA', 'T0LEAD', 'America/Los_Angeles', 1, 1)`,
		`INSERT INTO team_channels (channel_id, owner_id, tz, weekday, minute, status, created_at, updated_at)
			VALUES ('C0TEAM', 'U0ANA', 'America/Los_Angeles', 1, 540, 'active', 1, 1)`,
		`INSERT INTO team_posts (channel_id, prompt_id, slot, source, state, claimed_at) VALUES
			('C0TEAM', 'p1', ` + itoa(monday) + `, 'schedule', 'sent', ` + itoa(monday) + `),
			('C0TEAM', 'p2', ` + itoa(sundayEvening) + `, 'now', 'sent', ` + itoa(sundayEvening) + `),
			('C0TEAM', 'p3', ` + itoa(nextMonday) + `, 'schedule', 'sent', ` + itoa(nextMonday) + `)`,
		`INSERT INTO digests (user_id, slot, state, claimed_at) VALUES ('U0ANA', ` + itoa(friday) + `, 'sent', ` + itoa(friday) + `)`,
	} {
		if _, err := raw.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", strings.Fields(q)[2], err)
		}
	}

	// Without the calendar, the backfill cannot run, and says so.
	if err := migrate(ctx, raw, migrationFiles, now, nil); err == nil || !strings.Contains(err.Error(), "WithWeeks") {
		t.Fatalf("migrating posts without the calendar: %v", err)
	}
	if err := migrate(ctx, raw, migrationFiles, now, mondayWeek); err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	rows, err := raw.QueryContext(ctx, `SELECT prompt_id, week FROM team_posts`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		var week int
		if err := rows.Scan(&id, &week); err != nil {
			t.Fatal(err)
		}
		got[id] = week
	}
	rows.Close()
	want := map[string]int{"p1": 20261123, "p2": 0, "p3": 20261130}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("team post %s: week %d, want %d", id, got[id], w)
		}
	}
	var digestWeek int
	if err := raw.QueryRowContext(ctx, `SELECT week FROM digests`).Scan(&digestWeek); err != nil {
		t.Fatal(err)
	}
	if digestWeek != 20261123 {
		t.Errorf("digest week %d, want 20261123", digestWeek)
	}
	if got := mondayWeek(time.Unix(friday, 0), "America/Los_Angeles"); got != digestWeek {
		t.Errorf("the week of the digest's slot = %d, the migration's week = %d: the two must agree", got, digestWeek)
	}
}

// mondayWeek is the calendar's rule for weeks (bot/calendar.WeekOf),
// written out again as this test's oracle: the date of the Monday that
// starts the week of t in tz, as YYYYMMDD.
func mondayWeek(t time.Time, tz string) int {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		loc = time.UTC
	}
	l := t.In(loc)
	y, m, d := l.Date()
	monday := time.Date(y, m, d-(int(l.Weekday())+6)%7, 12, 0, 0, 0, time.UTC)
	return monday.Year()*10000 + int(monday.Month())*100 + monday.Day()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
