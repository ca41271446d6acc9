package storage

import (
	"context"
	"testing"
	"time"
)

// replyKind stores and changes the replies of one kind (to nudges by DM,
// or in a weekly prompt's thread), so that the tests below run for both.
type replyKind struct {
	name string
	// setUp stores what a reply answers and returns the kind's functions
	// for the message at ts.
	setUp func(t *testing.T, db *DB) replyOps
}

type replyOps struct {
	record func(event, user, text string) (bool, error)
	edit   func(event, user, text string) (bool, error)
	del    func(event string) (bool, error)
	// stored returns the stored replies' texts and edit times.
	stored func() []Reply
}

const lateTS = "1.000200" // the reply that arrives after its change

var replyKinds = []replyKind{
	{name: "nudge reply", setUp: func(t *testing.T, db *DB) replyOps {
		ctx := context.Background()
		d := withDelivery(t, db)
		return replyOps{
			record: func(event, user, text string) (bool, error) {
				r := reply(d, lateTS, text)
				r.UserID = user
				return db.RecordReply(ctx, event, r)
			},
			edit: func(event, user, text string) (bool, error) {
				return db.EditReply(ctx, event, user, "D1", lateTS, text)
			},
			del: func(event string) (bool, error) { return db.DeleteReply(ctx, event, "D1", lateTS) },
			stored: func() []Reply {
				rs, err := db.Replies(ctx, "U1", d.ID)
				if err != nil {
					t.Fatal(err)
				}
				return rs
			},
		}
	}},
	{name: "team reply", setUp: func(t *testing.T, db *DB) replyOps {
		ctx := context.Background()
		teamChannel(t, db)
		p, _, err := db.ClaimTeamSlot(ctx, TeamPost{ChannelID: "C1", PromptID: "p1", Slot: t0, Week: mondayWeek(t0, "UTC")}, t0, t0.Add(7*24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if err := db.MarkTeamPostSent(ctx, p.ID, "1.000100"); err != nil {
			t.Fatal(err)
		}
		return replyOps{
			record: func(event, user, text string) (bool, error) {
				return db.RecordTeamReply(ctx, event, TeamReply{PostID: p.ID, ChannelID: "C1", UserID: user, TS: lateTS, Text: text})
			},
			edit: func(event, user, text string) (bool, error) {
				return db.EditTeamReply(ctx, event, user, "C1", lateTS, text)
			},
			del: func(event string) (bool, error) { return db.DeleteTeamReply(ctx, event, "C1", lateTS) },
			stored: func() []Reply {
				rs, err := db.teamReplies(ctx, p.ID)
				if err != nil {
					t.Fatal(err)
				}
				var out []Reply
				for _, r := range rs {
					out = append(out, Reply{UserID: r.UserID, Text: r.Text, EditedAt: r.EditedAt})
				}
				return out
			},
		}
	}},
}

// TestChangeBeforeMessage: an edit or a deletion that Slack delivers
// before the message it changes is not lost: the late message is stored
// with its author's last edit, or, if it was deleted, not at all, and
// Slack delivering it once more changes nothing.
func TestChangeBeforeMessage(t *testing.T) {
	edited := t0.Add(-time.Minute) // when the early change arrived
	tests := []struct {
		name     string
		early    func(ops replyOps) error // the changes that come first
		want     string                   // the text stored, "" for none
		wantEdit bool
	}{
		{
			name:  "deleted",
			early: func(ops replyOps) error { _, err := ops.del("EvDel"); return err },
		},
		{
			name:  "edited",
			early: func(ops replyOps) error { _, err := ops.edit("EvEdit", "U1", "edited before it arrived"); return err },
			want:  "edited before it arrived", wantEdit: true,
		},
		{
			name: "edited twice",
			early: func(ops replyOps) error {
				if _, err := ops.edit("EvEdit1", "U1", "first edit"); err != nil {
					return err
				}
				_, err := ops.edit("EvEdit2", "U1", "second edit")
				return err
			},
			want: "second edit", wantEdit: true,
		},
		{
			name: "edited, then deleted",
			early: func(ops replyOps) error {
				if _, err := ops.edit("EvEdit", "U1", "edited"); err != nil {
					return err
				}
				_, err := ops.del("EvDel")
				return err
			},
		},
		{
			name: "deleted, then an edit delivered late",
			early: func(ops replyOps) error {
				if _, err := ops.del("EvDel"); err != nil {
					return err
				}
				_, err := ops.edit("EvEdit", "U1", "edited")
				return err
			},
		},
		{
			name:  "an edit by someone else",
			early: func(ops replyOps) error { _, err := ops.edit("EvEdit", "U9", "not the author"); return err },
			want:  "as written",
		},
	}
	for _, kind := range replyKinds {
		for _, tt := range tests {
			t.Run(kind.name+"/"+tt.name, func(t *testing.T) {
				now := edited
				db := openTest(t, WithClock(func() time.Time { return now }))
				ops := kind.setUp(t, db)
				if err := tt.early(ops); err != nil {
					t.Fatal(err)
				}
				now = t0
				stored, err := ops.record("EvLate", "U1", "as written")
				if err != nil {
					t.Fatal(err)
				}
				if again, err := ops.record("EvLate", "U1", "as written"); err != nil || again {
					t.Errorf("redelivery of the message = %v, %v; want nothing stored", again, err)
				}
				got := ops.stored()
				if tt.want == "" {
					if stored || len(got) != 0 {
						t.Errorf("RecordReply = %v and stored %+v; want a deleted message not stored", stored, got)
					}
					return
				}
				if !stored || len(got) != 1 {
					t.Fatalf("RecordReply = %v and stored %+v; want one reply", stored, got)
				}
				if got[0].Text != tt.want {
					t.Errorf("stored text %q, want %q", got[0].Text, tt.want)
				}
				var wantAt time.Time // not edited
				if tt.wantEdit {
					wantAt = edited
				}
				if !got[0].EditedAt.Equal(wantAt) {
					t.Errorf("edited at %v, want %v", got[0].EditedAt, wantAt)
				}
			})
		}
	}
}

// TestChangeAfterMessage: in the usual order the edit and the deletion
// change the stored reply, and leave no tombstone behind.
func TestChangeAfterMessage(t *testing.T) {
	for _, kind := range replyKinds {
		t.Run(kind.name, func(t *testing.T) {
			db := openTest(t, WithClock(func() time.Time { return t0 }))
			ops := kind.setUp(t, db)
			if ok, err := ops.record("EvMsg", "U1", "as written"); err != nil || !ok {
				t.Fatalf("record = %v, %v", ok, err)
			}
			if ok, err := ops.edit("EvEdit", "U1", "edited"); err != nil || !ok {
				t.Fatalf("edit = %v, %v", ok, err)
			}
			if got := ops.stored(); len(got) != 1 || got[0].Text != "edited" {
				t.Errorf("after the edit: %+v", got)
			}
			if ok, err := ops.del("EvDel"); err != nil || !ok {
				t.Fatalf("delete = %v, %v", ok, err)
			}
			if got := ops.stored(); len(got) != 0 {
				t.Errorf("after the deletion: %+v", got)
			}
			if n := tombstones(t, db, ""); n != 0 {
				t.Errorf("%d tombstones left, want none", n)
			}
		})
	}
}

// tombstones counts the tombstones in channel ("" for all).
func tombstones(t *testing.T, db *DB, channel string) int {
	t.Helper()
	var n int
	if err := db.read.QueryRow(`SELECT count(*) FROM message_tombstones WHERE ?1 = '' OR channel = ?1`, channel).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPruneEventsTakesTombstones: a tombstone whose message never came
// goes with the event ids of its time, and a newer one stays.
func TestPruneEventsTakesTombstones(t *testing.T) {
	ctx := context.Background()
	now := t0
	db := openTest(t, WithClock(func() time.Time { return now }))
	if _, err := db.DeleteReply(ctx, "EvOld", "D1", "1.000001"); err != nil {
		t.Fatal(err)
	}
	now = t0.Add(time.Hour)
	if _, err := db.EditReply(ctx, "EvNew", "U1", "D1", "1.000002", "edited"); err != nil {
		t.Fatal(err)
	}
	n, err := db.PruneEvents(ctx, t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 || tombstones(t, db, "") != 1 {
		t.Errorf("PruneEvents = %d, %d tombstones left; want the old event and tombstone gone, the new ones kept", n, tombstones(t, db, ""))
	}
}
