package storage

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkRecordReply measures durable reply recording: each op is one
// RecordReply (event id, reply row and the nudge's outcome in one
// committed transaction) on a database opened as in production (WAL,
// synchronous=FULL: fsync on every commit). Run it with
//
//	go test ./storage/ -run XXX -bench RecordReply -benchtime 5s
//
// The "synchronous=NORMAL" case is for comparison only: the bot does not
// use it (see docs/performance.md).
func BenchmarkRecordReply(b *testing.B) {
	for _, sync := range []string{"FULL", "NORMAL"} {
		b.Run("synchronous="+sync, func(b *testing.B) {
			ctx := context.Background()
			db, err := Open(ctx, filepath.Join(b.TempDir(), "leadbot.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			if sync != "FULL" {
				// The writer pool holds one connection, so this reaches every write.
				if _, err := db.write.ExecContext(ctx, "PRAGMA synchronous="+sync); err != nil {
					b.Fatal(err)
				}
			}
			d := benchDelivery(b, db)
			n := 0
			for b.Loop() {
				n++
				stored, err := db.RecordReply(ctx, fmt.Sprintf("Ev%08d", n), Reply{
					DeliveryID: d.ID, UserID: d.UserID, Channel: "D0BENCH",
					TS: fmt.Sprintf("1700000000.%06d", n), ThreadTS: "1699999999.000001",
					Text: "I delegated the release notes to Sam and only reviewed them.", Via: ViaThread,
				})
				if err != nil || !stored {
					b.Fatalf("RecordReply: %v, stored %v", err, stored)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "replies/s")
		})
	}
}

// BenchmarkRecordReplyParallel is BenchmarkRecordReply with 16 writers at
// once, as when many users answer a fan-out of nudges together: commits
// that queue up behind one share its fsync (group commit, batch.go), and
// each RecordReply still returns only once its reply is on disk.
//
//	go test ./storage/ -run XXX -bench RecordReplyParallel -benchtime 5s
func BenchmarkRecordReplyParallel(b *testing.B) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(b.TempDir(), "leadbot.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	d := benchDelivery(b, db)
	var seq atomic.Int64
	b.SetParallelism(8) // 8 × GOMAXPROCS writers
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := seq.Add(1)
			stored, err := db.RecordReply(ctx, fmt.Sprintf("Ev%08d", n), Reply{
				DeliveryID: d.ID, UserID: d.UserID, Channel: "D0BENCH",
				TS: fmt.Sprintf("1700000000.%06d", n), ThreadTS: "1699999999.000001",
				Text: "I delegated the release notes to Sam and only reviewed them.", Via: ViaThread,
			})
			if err != nil || !stored {
				b.Errorf("RecordReply: %v, stored %v", err, stored)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "replies/s")
}

// benchDelivery saves a user and a sent nudge for replies to answer.
func benchDelivery(b *testing.B, db *DB) Delivery {
	b.Helper()
	ctx := context.Background()
	if err := db.SaveUser(ctx, User{ID: "U0BENCH", TeamID: "T0BENCH", DMChannel: "D0BENCH"}); err != nil {
		b.Fatal(err)
	}
	d, ok, err := db.claimDelivery(ctx, Delivery{UserID: "U0BENCH", NudgeID: "delegate-one-task", Kind: "delegate",
		Source: SourceNow, Slot: time.Now()})
	if err != nil || !ok {
		b.Fatalf("ClaimDelivery: %v, %v", ok, err)
	}
	if err := db.MarkSent(ctx, d.ID, "D0BENCH", "1699999999.000001"); err != nil {
		b.Fatal(err)
	}
	return d
}

// BenchmarkCheckFile measures what every write transaction adds to check
// that the database file is still the one opened (two stat calls), to set
// against BenchmarkRecordReply's commit:
//
//	go test ./storage/ -run XXX -bench CheckFile
func BenchmarkCheckFile(b *testing.B) {
	db, err := Open(context.Background(), filepath.Join(b.TempDir(), "leadbot.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	for b.Loop() {
		if err := db.CheckFile(); err != nil {
			b.Fatal(err)
		}
	}
}
