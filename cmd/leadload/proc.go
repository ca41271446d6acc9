package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/leadcoach/leadbot/bot/slackfake"
)

// moduleRoot returns the directory of the leadbot module, where the tool
// must be run from (or below).
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("run leadload from the leadbot repository (no go.mod here)")
	}
	return filepath.Dir(gomod), nil
}

// buildBot builds ./cmd/leadbot into dir, static (CGO_ENABLED=0) as the
// release build is. Not with -trimpath, which changes only the file names
// the binary holds, not how it runs: built like this it shares the build
// cache with CI's static build and the leadbot binary tests, where
// -trimpath would compile every package again (two minutes on two cores
// with an empty cache).
func buildBot(ctx context.Context, root, dir string) (string, error) {
	bin := filepath.Join(dir, "leadbot")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/leadbot")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/leadbot: %w\n%s", err, out)
	}
	return bin, nil
}

// botProcess is leadbot running as a subprocess.
type botProcess struct {
	cmd     *exec.Cmd
	started time.Time
	logPath string
	addr    string // its /healthz and /metrics
	exited  chan struct{}
	waitErr error
}

// startBot runs bin against the fake Slack at apiURL with the database at
// dbPath and the production defaults otherwise; its logs (JSON) go to a
// file in dir. The environment is only what is set here.
func startBot(ctx context.Context, bin, dir, apiURL, dbPath string) (*botProcess, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(dir, "leadbot.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("bot log: %w", err)
	}
	defer logFile.Close() // the child has its own descriptor
	cmd := exec.Command(bin)
	cmd.Env = []string{
		"SLACK_APP_TOKEN=xapp-leadload",
		"SLACK_BOT_TOKEN=xoxb-leadload",
		"SLACK_API_URL=" + apiURL,
		"LEADBOT_DB=" + dbPath,
		"LEADBOT_ADDR=" + addr,
		"LEADBOT_LOG_FORMAT=json",
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	p := &botProcess{cmd: cmd, logPath: logPath, addr: addr, exited: make(chan struct{})}
	p.started = time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() { p.waitErr = cmd.Wait(); close(p.exited) }()
	return p, nil
}

// freeAddr returns a loopback address with a port free right now.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// waitConnected returns the time from starting the process to the fake
// Slack's first hello, that is until the bot is connected.
func (p *botProcess) waitConnected(ctx context.Context, fake *slackfake.Server) (time.Duration, error) {
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	connected := make(chan error, 1)
	go func() { connected <- fake.WaitConnected(wctx, 1) }()
	select {
	case err := <-connected:
		if err != nil {
			return 0, fmt.Errorf("bot did not connect: %w; its log:\n%s", err, p.logTail())
		}
		return time.Since(p.started), nil
	case <-p.exited:
		return 0, fmt.Errorf("bot exited before connecting (%v); its log:\n%s", p.waitErr, p.logTail())
	}
}

// peakRSS returns the process's peak resident set size (VmHWM).
func (p *botProcess) peakRSS() (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0, fmt.Errorf("peak RSS: %w", err)
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(rest) // "12345 kB"
			if len(f) == 2 && f[1] == "kB" {
				kb, err := strconv.ParseInt(f[0], 10, 64)
				if err == nil {
					return kb << 10, nil
				}
			}
		}
	}
	return 0, errors.New("peak RSS: no VmHWM line in /proc/PID/status")
}

// errorsSeen returns the number of errors the bot logged, and the values of
// a few of its own metrics, read from its /metrics.
func (p *botProcess) errorsSeen(ctx context.Context) (int, map[string]string) {
	n := 0
	if b, err := os.ReadFile(p.logPath); err == nil {
		n = bytes.Count(b, []byte(`"level":"ERROR"`))
	}
	metrics := map[string]string{}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+p.addr+"/metrics", nil)
	if err != nil {
		return n, metrics
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		metrics["error"] = err.Error()
		return n, metrics
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok || strings.HasPrefix(name, "#") {
			continue
		}
		for _, want := range []string{
			"leadbot_handler_errors_total", "leadbot_handler_panics_total",
			`leadbot_envelopes_acked_total{type="slash_commands"}`,
			"leadbot_ack_latency_seconds_count", "leadbot_ack_latency_seconds_sum",
			"go_gc_duration_seconds_count", "process_cpu_seconds_total",
		} {
			if name == want {
				metrics[name] = value
			}
		}
	}
	return n, metrics
}

// stop sends SIGTERM, as a container runtime does, and waits for a clean
// exit. It returns an error if the bot exited with an error or had to be
// killed.
func (p *botProcess) stop() error {
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return fmt.Errorf("SIGTERM: %w", err)
	}
	select {
	case <-p.exited:
		if p.waitErr != nil {
			return fmt.Errorf("exited with %w; its log:\n%s", p.waitErr, p.logTail())
		}
		return nil
	case <-time.After(30 * time.Second):
		p.kill()
		return errors.New("did not stop within 30 s of SIGTERM; killed")
	}
}

// kill ends the process if it is still running, and waits for it.
func (p *botProcess) kill() {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Kill() // it may have exited meanwhile
	<-p.exited
}

// logTail returns the last lines of the bot's log, for error messages.
func (p *botProcess) logTail() string {
	f, err := os.Open(p.logPath)
	if err != nil {
		return ""
	}
	defer f.Close()
	b, _ := io.ReadAll(f)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-20):], "\n")
}
