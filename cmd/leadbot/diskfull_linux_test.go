//go:build linux

package main

import (
	"context"
	"net/http"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/leadcoach/leadbot/bot/slackfake"
	"github.com/leadcoach/leadbot/storage"
)

// setFileSizeLimit sets the running process pid's RLIMIT_FSIZE soft limit
// (prlimit(2)): writes past that many bytes into any file fail, as they
// would on a full disk.
func setFileSizeLimit(t *testing.T, pid int, limit uint64) {
	t.Helper()
	lim := syscall.Rlimit{Cur: limit, Max: ^uint64(0)}
	if _, _, errno := syscall.RawSyscall6(syscall.SYS_PRLIMIT64, uintptr(pid), syscall.RLIMIT_FSIZE,
		uintptr(unsafe.Pointer(&lim)), 0, 0, 0); errno != 0 {
		t.Fatalf("prlimit: %v", errno)
	}
}

// TestDiskFull: the disk fills up under the running binary (a file size
// limit of zero bytes makes every write fail, as ENOSPC would). A reply
// that cannot be stored is not acknowledged; the bot keeps running and
// answering; once there is room again, Slack's redelivery is stored,
// once, and nothing stored before is lost.
func TestDiskFull(t *testing.T) {
	t.Parallel()
	// With SIGXFSZ ignored (the disposition is inherited by the child),
	// a write past the limit fails with EFBIG instead of killing the
	// process.
	signal.Ignore(syscall.SIGXFSZ)
	fake := newFake(t, slackfake.Options{AckTimeout: time.Second, MaxRetries: 20})
	dbPath := filepath.Join(t.TempDir(), "leadbot.db")
	p := startConnected(t, fake, binaryEnv(fake, dbPath))
	nudgeSent(t, fake)
	n := topNudges(fake, "U0ANA")[0]
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	reply := func(ts, text string) map[string]any {
		return map[string]any{"type": "message", "channel": n.Channel, "user": "U0ANA", "text": text, "ts": ts, "thread_ts": n.TS, "channel_type": "im"}
	}
	first, err := fake.SendEventWithID(ctx, reply("1800000000.000100", "stored before the disk filled up"), "EvBEFORE")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fake.WaitAck(ctx, first); err != nil {
		t.Fatal(err)
	}

	setFileSizeLimit(t, p.cmd.Process.Pid, 0)
	second, err := fake.SendEventWithID(ctx, reply("1800000000.000200", "written while the disk is full"), "EvFULL")
	if err != nil {
		t.Fatal(err)
	}
	pollUntil(t, "the failed write logged", func() bool { return strings.Contains(p.out.String(), "could not record reply") })
	if got := ask(t, fake, "U0ANA", "help"); !strings.Contains(got, "/lead-tip topics") {
		t.Errorf("help while the disk is full = %q", got)
	}
	// Slack's redelivery (after the 1 s ack timeout) fails too.
	pollUntil(t, "a redelivery failing too", func() bool { return strings.Count(p.out.String(), "could not record reply") >= 2 })
	for _, a := range fake.Acks() {
		if a.EnvelopeID == second {
			t.Fatalf("a reply that could not be stored was acknowledged\n%s", p.out)
		}
	}

	setFileSizeLimit(t, p.cmd.Process.Pid, ^uint64(0))
	ack, err := fake.WaitAck(ctx, second)
	if err != nil {
		t.Fatalf("the reply was not stored once there was room: %v\n%s", err, p.out)
	}
	if code := p.terminate(20 * time.Second); code != 0 {
		t.Errorf("exit status %d, want 0\n%s", code, p.out)
	}

	db, err := storage.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ds, _ := db.Deliveries(context.Background(), "U0ANA", 1)
	rs, err := db.Replies(context.Background(), "U0ANA", ds[0].ID)
	if err != nil || len(rs) != 2 || rs[0].Text != "stored before the disk filled up" || rs[1].Text != "written while the disk is full" {
		t.Errorf("replies after the disk filled up and emptied: %+v, %v", rs, err)
	}
	t.Logf("stored on delivery attempt %d", ack.Attempt)
}

// TestHealthzDiskFull: with the disk full under the running binary,
// /healthz answers 503 naming the database (it read the database and said
// ok before), and 200 again once there is room.
func TestHealthzDiskFull(t *testing.T) {
	t.Parallel()
	signal.Ignore(syscall.SIGXFSZ) // see TestDiskFull
	fake := newFake(t, slackfake.Options{})
	vars := binaryEnv(fake, filepath.Join(t.TempDir(), "leadbot.db"))
	vars["LEADBOT_ADDR"] = "127.0.0.1:0"
	p := startConnected(t, fake, vars)
	pollUntil(t, "the health address logged", func() bool { return opsAddrLine.MatchString(p.out.String()) })
	base := "http://" + opsAddrLine.FindStringSubmatch(p.out.String())[1]
	if code, body := waitHealth(t, base, http.StatusOK); code != http.StatusOK {
		t.Fatalf("/healthz = %d %s at start, want 200", code, body)
	}

	setFileSizeLimit(t, p.cmd.Process.Pid, 0)
	code, body := waitHealth(t, base, http.StatusServiceUnavailable)
	if code != http.StatusServiceUnavailable {
		t.Fatalf("/healthz = %d %s with the disk full, want 503\n%s", code, body, p.out)
	}
	if got, want := decodeHealth(t, body), (health{Status: "unhealthy", Slack: "connected", Database: "unavailable"}); got != want {
		t.Errorf("/healthz body = %+v, want %+v", got, want)
	}
	// The line is written before the answer, but read from the child's
	// output by another goroutine, which may not have got to it yet.
	pollUntil(t, "the log to say the database cannot be used", func() bool {
		return strings.Contains(p.out.String(), "the database cannot be used")
	})

	setFileSizeLimit(t, p.cmd.Process.Pid, ^uint64(0))
	if code, body := waitHealth(t, base, http.StatusOK); code != http.StatusOK {
		t.Errorf("/healthz = %d %s once there is room, want 200", code, body)
	}
	if code := p.terminate(20 * time.Second); code != 0 {
		t.Errorf("exit status %d, want 0\n%s", code, p.out)
	}
}
