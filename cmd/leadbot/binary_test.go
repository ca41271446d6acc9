package main

import (
	"context"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/leadcoach/leadbot/bot/slackfake"
)

// The crash, signal and exit-code tests run the real leadbot binary as a
// separate process: only a process can be killed with SIGKILL, get SIGTERM
// from outside, or exit with a status. It is built once per test run.

// binary is a leadbot binary built at most once per test run.
type binary struct {
	once sync.Once
	dir  string
	path string
	err  error
	out  []byte
}

// The binaries the tests run: built as the test binary was (leadbotBinary),
// and static, as the release is (staticBinary).
var built, builtStatic binary

// minParallel is how many parallel tests run at once here unless
// -test.parallel says otherwise. Most of them run the binary and wait on
// it (Retry-After, reconnect backoff, a kill's aftermath), so the default,
// one per CPU, would leave two cores idle most of the time.
const minParallel = 4

func TestMain(m *testing.M) {
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if !explicit && runtime.GOMAXPROCS(0) < minParallel {
		if err := flag.Set("test.parallel", strconv.Itoa(minParallel)); err != nil {
			panic(err)
		}
	}
	code := m.Run()
	for _, b := range []*binary{&built, &builtStatic} {
		if b.dir != "" {
			os.RemoveAll(b.dir)
		}
	}
	os.Exit(code)
}

// leadbotBinary builds ./cmd/leadbot once and returns its path. It is built
// with the CGO_ENABLED the test binary was, so that the build reuses the
// packages just compiled for the tests: with an empty build cache,
// compiling them all again for the other setting takes half a minute on two
// cores. Under -race it is built with CGO_ENABLED=0, whose packages CI's
// static build step has compiled already (a race-enabled binary would be
// slow to start, and the tests start it often).
func leadbotBinary(t *testing.T) string {
	t.Helper()
	return built.get(t, buildCGO())
}

// staticBinary is leadbotBinary built with CGO_ENABLED=0, as the release
// image's is: a binary that needs no C library.
func staticBinary(t *testing.T) string {
	t.Helper()
	if buildCGO() == "0" {
		return leadbotBinary(t)
	}
	return builtStatic.get(t, "0")
}

// buildCGO is the CGO_ENABLED the test binary was built with, or "0" under
// -race or if the build settings cannot be read.
func buildCGO() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "0"
	}
	cgo := "0"
	for _, s := range info.Settings {
		switch {
		case s.Key == "-race" && s.Value == "true":
			return "0"
		case s.Key == "CGO_ENABLED":
			cgo = s.Value
		}
	}
	return cgo
}

// get builds ./cmd/leadbot with CGO_ENABLED=cgo the first time it is
// called and returns the binary's path.
func (b *binary) get(t *testing.T, cgo string) string {
	t.Helper()
	b.once.Do(func() {
		b.dir, b.err = os.MkdirTemp("", "leadbot-test-")
		if b.err != nil {
			return
		}
		goTool, err := exec.LookPath("go")
		if err != nil {
			goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
		}
		b.path = filepath.Join(b.dir, "leadbot")
		cmd := exec.Command(goTool, "build", "-o", b.path, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED="+cgo)
		b.out, b.err = cmd.CombinedOutput()
	})
	if b.err != nil {
		t.Fatalf("build leadbot: %v\n%s", b.err, b.out)
	}
	return b.path
}

// proc is the leadbot binary running as a child process.
type proc struct {
	t    *testing.T
	cmd  *exec.Cmd
	out  *syncBuffer // stdout and stderr
	done chan struct{}
	err  error // from Wait, once done is closed
}

// binaryEnv is the environment of a binary run against fake: only what it
// needs, nothing inherited (no real token can leak in).
func binaryEnv(fake *slackfake.Server, dbPath string) map[string]string {
	return map[string]string{
		"SLACK_APP_TOKEN":   testAppToken,
		"SLACK_BOT_TOKEN":   testBotToken,
		"SLACK_API_URL":     fake.APIURL(),
		"LEADBOT_DB":        dbPath,
		"LEADBOT_ADDR":      "off",
		"LEADBOT_LOG_LEVEL": "debug",
	}
}

// startProc runs the binary with vars as its whole environment.
func startProc(t *testing.T, vars map[string]string) *proc {
	t.Helper()
	return startCommand(t, vars, leadbotBinary(t))
}

// startCommand runs name with args (a wrapper that ends by exec'ing the
// binary, keeping its pid) with vars as its whole environment.
func startCommand(t *testing.T, vars map[string]string, name string, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, out: &syncBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(name, args...)
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p.cmd.Env = append(p.cmd.Env, k+"="+vars[k])
	}
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// startConnected starts the binary and waits until it is connected to fake.
func startConnected(t *testing.T, fake *slackfake.Server, vars map[string]string) *proc {
	t.Helper()
	before := fake.Hellos()
	p := startProc(t, vars)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := fake.WaitConnected(ctx, before+1); err != nil {
		t.Fatalf("leadbot did not connect: %v\n%s", err, p.out)
	}
	return p
}

// wait waits up to d for the process to exit and returns its exit status,
// or -1 if it is still running.
func (p *proc) wait(d time.Duration) int {
	select {
	case <-p.done:
	case <-time.After(d):
		return -1
	}
	var ee *exec.ExitError
	if errors.As(p.err, &ee) {
		return ee.ExitCode()
	}
	if p.err != nil {
		p.t.Fatalf("wait: %v", p.err)
	}
	return 0
}

// kill sends SIGKILL and waits for the process to die.
func (p *proc) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// terminate sends SIGTERM and returns the exit status, failing the test if
// the process takes longer than d.
func (p *proc) terminate(d time.Duration) int {
	p.t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	code := p.wait(d)
	if code < 0 {
		p.t.Fatalf("leadbot did not exit within %v of SIGTERM\n%s", d, p.out)
	}
	return code
}

// lastLine returns the last non-empty line of the process's output.
func (p *proc) lastLine() string {
	lines := strings.Split(strings.TrimSpace(p.out.String()), "\n")
	return lines[len(lines)-1]
}

// noTokens fails the test if text holds either test token, or a part of
// one.
func noTokens(t *testing.T, where, text string) {
	t.Helper()
	for _, secret := range []string{testAppToken, testBotToken, "TESTAPPSECRET", "TESTBOTSECRET"} {
		if strings.Contains(text, secret) {
			t.Errorf("%s contains a token", where)
			return
		}
	}
}
