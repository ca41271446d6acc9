package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/leadcoach/leadbot/bot"
	"github.com/leadcoach/leadbot/storage"
)

// defaultAddr is where /healthz and /metrics are served when LEADBOT_ADDR
// is not set: loopback only, so nothing is exposed by accident. The Docker
// image sets ":8080".
const defaultAddr = "127.0.0.1:8080"

// Limits of the health and metrics server.
const (
	healthPingTimeout = 2 * time.Second // a database slower than this is reported down
	opsShutdown       = 5 * time.Second // wait for in-flight scrapes on shutdown
)

// httpAddr checks LEADBOT_ADDR: host:port, :port, or "off". It returns ""
// for off, and a configError if the value is not an address.
func httpAddr(v string) (string, error) {
	v = strings.TrimSpace(v)
	switch {
	case v == "":
		return defaultAddr, nil
	case strings.EqualFold(v, "off"):
		return "", nil
	}
	_, port, err := net.SplitHostPort(v)
	n, perr := strconv.Atoi(port)
	if err != nil || perr != nil || n < 0 || n > 65535 {
		return "", configError{"LEADBOT_ADDR", "must be host:port such as 127.0.0.1:8080 or :8080 (where /healthz and /metrics are served), or off"}
	}
	return v, nil
}

// health is the body of /healthz: which part is down, if any.
type health struct {
	Status   string `json:"status"`   // "ok" or "unhealthy"
	Slack    string `json:"slack"`    // "connected" or "disconnected"
	Database string `json:"database"` // "ok" or "unavailable"
}

// healthHandler answers 200 when the Socket Mode connection is up and the
// database can be read and written, 503 otherwise, with a JSON body naming
// the part that is down. The database's error goes to the log, not the
// body, once when it goes down and once when it is back: probes come every
// few seconds.
func healthHandler(connected func() bool, ping func(context.Context) error, log *slog.Logger) http.HandlerFunc {
	var dbDown atomic.Bool
	return func(w http.ResponseWriter, r *http.Request) {
		h := health{Status: "ok", Slack: "connected", Database: "ok"}
		if !connected() {
			h.Status, h.Slack = "unhealthy", "disconnected"
		}
		ctx, cancel := context.WithTimeout(r.Context(), healthPingTimeout)
		defer cancel()
		if err := ping(ctx); err != nil {
			h.Status, h.Database = "unhealthy", "unavailable"
			if dbDown.CompareAndSwap(false, true) {
				log.Error("health check: the database cannot be used", keyErr, err)
			}
		} else if dbDown.CompareAndSwap(true, false) {
			log.Info("health check: the database can be used again")
		}
		code := http.StatusOK
		if h.Status != "ok" {
			code = http.StatusServiceUnavailable
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(h) // the client went away: nothing to do
	}
}

// databaseCheck returns the database half of /healthz for db. It checks
// that LEADBOT_DB is still the file the bot opened (storage.CheckFile):
// SQLite goes on reading a file deleted or replaced under it, and the bot
// refuses to write to it, since all it wrote would be lost at the next
// start. It reads a table, where a bare SELECT 1 would be answered without
// touching the file, and it makes a one-row write: on a full disk or a
// read-only file reads still work and only writes fail.
func databaseCheck(db *storage.DB) func(context.Context) error {
	path := db.Path()
	return func(ctx context.Context) error {
		if err := db.CheckFile(); errors.Is(err, storage.ErrFileGone) {
			return fmt.Errorf("%w (nothing is written, and replies are not acknowledged, until then): "+
				"put the file back, or restart the bot to open the new one", err)
		} else if err != nil {
			return err
		}
		if _, err := db.SchemaVersion(ctx); err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
		if err := db.CheckWrite(ctx); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		return nil
	}
}

// newRegistry returns a Prometheus registry of our own (not the global
// default) holding the bot's metrics, a gauge of the Socket Mode
// connection, and the Go runtime and process collectors. It returns an
// error if two collectors clash.
func newRegistry(m *bot.Metrics, connected func() bool) (*prometheus.Registry, error) {
	reg := prometheus.NewRegistry()
	if err := m.Register(reg); err != nil {
		return nil, err
	}
	up := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Namespace: "leadbot", Name: "slack_connected",
		Help: "1 while the Socket Mode connection is up, 0 otherwise.",
	}, func() float64 {
		if connected() {
			return 1
		}
		return 0
	})
	for _, c := range []prometheus.Collector{up, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register metrics: %w", err)
		}
	}
	return reg, nil
}

// opsHandler routes /healthz and /metrics.
func opsHandler(health http.Handler, reg *prometheus.Registry) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /healthz", health)
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return mux
}

// startOps listens on addr and serves h in the background. It returns an
// error (naming LEADBOT_ADDR) if it cannot listen, so a port already in use
// stops the bot at start-up. stop shuts the server down gracefully, letting
// requests in flight finish for up to opsShutdown, and returns once it has
// stopped.
func startOps(addr string, h http.Handler, log *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("LEADBOT_ADDR: %w", err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			log.Error("health and metrics server stopped", keyErr, err)
		}
	}()
	log.Info("serving /healthz and /metrics", keyAddr, ln.Addr().String())
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), opsShutdown)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			log.Warn("health and metrics server: closing connections still open", keyErr, err)
			_ = srv.Close() // the requests left are cut; Close's error says nothing more
		}
		<-done
	}, nil
}
