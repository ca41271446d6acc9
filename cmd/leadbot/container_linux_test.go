//go:build linux

package main

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/leadcoach/leadbot/bot/slackfake"
	"github.com/leadcoach/leadbot/storage"
)

// image is what the Dockerfile's final stage says about how the binary
// runs.
type image struct {
	user    string            // USER, without the group
	env     map[string]string // ENV
	volumes []string          // VOLUME
}

// readDockerfile reads the final stage of the Dockerfile at path.
func readDockerfile(t *testing.T, path string) image {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var img image
	text := strings.ReplaceAll(string(b), "\\\n", " ")
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		switch strings.ToUpper(f[0]) {
		case "FROM":
			img = image{env: map[string]string{}}
		case "USER":
			img.user, _, _ = strings.Cut(f[1], ":")
		case "ENV":
			for _, kv := range f[1:] {
				k, v, ok := strings.Cut(kv, "=")
				if !ok {
					t.Fatalf("Dockerfile: ENV %q is not KEY=value", kv)
				}
				img.env[k] = v
			}
		case "VOLUME":
			for _, v := range f[1:] {
				img.volumes = append(img.volumes, strings.Trim(v, `[]",`))
			}
		}
	}
	return img
}

// uid is the numeric user the image runs as; it fails the test for root.
func (img image) uid(t *testing.T) int {
	t.Helper()
	switch img.user {
	case "", "root", "0":
		t.Fatalf("the image runs as root (USER %q)", img.user)
	case "nonroot": // distroless's non-root user
		return 65532
	}
	uid, err := strconv.Atoi(img.user)
	if err != nil {
		t.Fatalf("USER %q: want nonroot or a numeric uid", img.user)
	}
	return uid
}

// readOnlyRoot is the shell run in a new mount namespace: it keeps $1 (the
// data directory) writable, makes every other mount read-only, and runs
// $2 (the binary) as user $3, with exec so that the binary keeps the pid.
const readOnlyRoot = `set -e
mount --bind "$1" "$1"
for m in $(awk '{print $5}' /proc/self/mountinfo | sort -u); do
  case "$m" in "$1"|/proc|/proc/*|/sys|/sys/*|/dev|/dev/*) continue;; esac
  mount -o remount,bind,ro "$m" 2>/dev/null || true
done
if touch /leadbot-write-probe 2>/dev/null; then rm -f /leadbot-write-probe; echo "the root filesystem is writable"; exit 3; fi
exec setpriv --reuid="$3" --regid="$3" --clear-groups "$2"`

// TestContainerReadOnlyNonRoot runs the binary as the Docker image does
// (the Dockerfile's USER and ENV) with every filesystem read-only except
// the data directory, as "docker run --read-only -v leadbot-data:/data"
// gives it. The Docker daemon is not available where the tests run, so the
// image itself is not built; this proves the binary needs nothing more.
// The bot starts, creates its database (0600, owned by the image's user),
// answers, sends and records a nudge, stores a reply and a press, exports,
// publishes a Home tab, and exits 0 on SIGTERM, with no error logged. A
// data directory or database file the user cannot write stops it at once
// with one line naming LEADBOT_DB and what to do.
func TestContainerReadOnlyNonRoot(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("needs root to make a read-only mount namespace")
	}
	for _, tool := range []string{"unshare", "setpriv", "mount", "awk"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s", tool)
		}
	}
	probe := exec.Command("unshare", "-m", "sh", "-c", `mount --bind "$1" "$1" && mount -o remount,bind,ro "$1"`, "sh", t.TempDir())
	if out, err := probe.CombinedOutput(); err != nil {
		t.Skipf("cannot make read-only mounts in a mount namespace here: %v %s", err, out)
	}
	img := readDockerfile(t, filepath.Join("..", "..", "Dockerfile"))
	uid := img.uid(t)
	dbPath := img.env["LEADBOT_DB"]
	if dbPath == "" || !slices.Contains(img.volumes, filepath.Dir(dbPath)) {
		t.Fatalf("LEADBOT_DB=%q is not in a VOLUME (%v)", dbPath, img.volumes)
	}

	// The user must reach the binary and the data directory.
	base := t.TempDir()
	for _, dir := range []string{filepath.Dir(base), base} {
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(base, "leadbot")
	copyFile(t, staticBinary(t), bin, 0o755) // the image is distroless: no C library

	run := func(t *testing.T, fake *slackfake.Server, data string) *proc {
		vars := binaryEnv(fake, filepath.Join(data, filepath.Base(dbPath)))
		for k, v := range img.env {
			if k != "LEADBOT_DB" && k != "LEADBOT_ADDR" { // the data directory and a free port instead
				vars[k] = v
			}
		}
		vars["LEADBOT_ADDR"] = "127.0.0.1:0"
		vars["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin" // for the wrapper's tools
		return startCommand(t, vars, "unshare", "-m", "sh", "-c", readOnlyRoot, "sh", data, bin, strconv.Itoa(uid))
	}

	t.Run("data volume writable", func(t *testing.T) {
		t.Parallel()
		fake := newFake(t, slackfake.Options{})
		data := filepath.Join(base, "data")
		ownedDir(t, data, uid)
		p := run(t, fake, data)
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := fake.WaitConnected(ctx, 1); err != nil {
			t.Fatalf("leadbot did not connect: %v\n%s", err, p.out)
		}

		if got := ask(t, fake, "U0ANA", "start"); !strings.Contains(got, "You're in") {
			t.Errorf("start answered %q", got)
		}
		nudgeSent(t, fake)
		n := topNudges(fake, "U0ANA")[0]
		reply, err := fake.SendEventWithID(ctx, map[string]any{"type": "message", "channel": n.Channel, "user": "U0ANA",
			"text": "written on a read-only root", "ts": "1800000000.000100", "thread_ts": n.TS, "channel_type": "im"}, "EvRO")
		if err != nil {
			t.Fatal(err)
		}
		press, err := fake.ClickButton(ctx, slackfake.Click{UserID: "U0ANA", ActionID: "nudge_done", Blocks: n.Blocks, ChannelID: n.Channel, MessageTS: n.TS})
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{reply, press} {
			if _, err := fake.WaitAck(ctx, id); err != nil {
				t.Fatalf("not acknowledged: %v\n%s", err, p.out)
			}
		}
		exportSent(t, fake)
		openHome(t, fake, "U0ANA")
		pollUntil(t, "the Home tab", func() bool { _, ok := fake.HomeView("U0ANA"); return ok })
		if code := p.terminate(20 * time.Second); code != 0 {
			t.Fatalf("exit status %d after SIGTERM, want 0\n%s", code, p.out)
		}

		out := p.out.String()
		for _, bad := range []string{"level=ERROR", "read-only file system", "permission denied"} {
			if strings.Contains(strings.ToLower(out), strings.ToLower(bad)) {
				t.Errorf("the output has %q:\n%s", bad, out)
			}
		}
		fi, err := os.Stat(filepath.Join(data, filepath.Base(dbPath)))
		if err != nil {
			t.Fatal(err)
		}
		if st := fi.Sys().(*syscall.Stat_t); fi.Mode().Perm() != 0o600 || int(st.Uid) != uid {
			t.Errorf("database mode %o owner %d, want 600 and %d", fi.Mode().Perm(), st.Uid, uid)
		}
		db, err := storage.Open(context.Background(), filepath.Join(data, filepath.Base(dbPath)))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		ds, err := db.Deliveries(context.Background(), "U0ANA", 10)
		if err != nil || len(ds) != 1 || ds[0].Outcome != storage.OutcomeDone {
			t.Fatalf("deliveries = %+v, %v; want one, done", ds, err)
		}
		if rs, err := db.Replies(context.Background(), "U0ANA", ds[0].ID); err != nil || len(rs) != 1 || rs[0].Text != "written on a read-only root" {
			t.Errorf("replies = %+v, %v", rs, err)
		}
	})

	// A data directory the user cannot write, or one holding a database
	// written by another user (root, say, from a run without USER): the
	// bot stops with one line that says which, and what to check. A file
	// that is there must not be called one it could not create.
	refusals := []struct {
		name  string
		setup func(t *testing.T, data string)
		want  string
	}{
		{"data volume not writable", func(t *testing.T, data string) {
			if err := os.Mkdir(data, 0o755); err != nil {
				t.Fatal(err)
			}
		}, "cannot create the database file: permission denied; set LEADBOT_DB to a file in a directory that exists"},
		{"database file not writable", func(t *testing.T, data string) {
			ownedDir(t, data, uid)
			db, err := storage.Open(context.Background(), filepath.Join(data, filepath.Base(dbPath)))
			if err != nil {
				t.Fatal(err)
			}
			db.Close()
		}, "database file cannot be written: permission denied; the bot must be able to write the file and its directory"},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t, slackfake.Options{})
			data := filepath.Join(base, strings.ReplaceAll(tt.name, " ", "-"))
			tt.setup(t, data)
			p := run(t, fake, data)
			if code := p.wait(10 * time.Second); code != 1 {
				t.Fatalf("exit status %d, want 1\n%s", code, p.out)
			}
			out := p.out.String()
			if strings.Count(out, "\n") != 1 || !strings.HasPrefix(out, "leadbot: LEADBOT_DB: ") || !strings.Contains(out, tt.want) {
				t.Errorf("output = %q, want one line naming LEADBOT_DB and saying %q", out, tt.want)
			}
		})
	}
}

// ownedDir makes the directory path, mode 0700, owned by uid.
func ownedDir(t *testing.T, path string, uid int) {
	t.Helper()
	if err := os.Mkdir(path, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(path, uid, uid); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
