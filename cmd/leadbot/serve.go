package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/leadcoach/leadbot/bot"
	"github.com/leadcoach/leadbot/bot/socket"
	"github.com/leadcoach/leadbot/prompts"
)

// serve runs the bot until ctx is cancelled.
func serve(ctx context.Context, getenv func(string) string, stderr io.Writer) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)

	lib, err := prompts.Load()
	if err != nil {
		return fmt.Errorf("load content: %w", err)
	}
	db, err := openDatabase(ctx, cfg.dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	log.Info("database ready", "path", cfg.dbPath)

	var metrics *bot.Metrics // nil (nothing measured) when LEADBOT_ADDR=off
	if cfg.addr != "" {
		metrics = bot.NewMetrics()
	}
	tokens := socket.NewTokenWatch()
	api := slack.New(cfg.botToken, slackOptions(cfg, tokens.Transport(metrics.Transport(nil)))...)
	b, err := bot.New(bot.Config{
		Socket:   socketmode.New(api),
		API:      api,
		Tokens:   tokens,
		Store:    db,
		Library:  lib,
		Logger:   log,
		Catchup:  cfg.catchup,
		SendRate: cfg.sendRate,
		Metrics:  metrics,
		Admins:   cfg.admins,
	})
	if err != nil {
		return err
	}
	if cfg.addr != "" {
		reg, err := newRegistry(metrics, b.Connected)
		if err != nil {
			return err
		}
		dbCheck, err := databaseCheck(db)
		if err != nil {
			return err
		}
		// Stopped after b.Run returns (the bot has shut down), before the
		// database closes.
		opsLog := log.With("component", "http")
		stopOps, err := startOps(cfg.addr, opsHandler(healthHandler(b.Connected, dbCheck, opsLog), reg), opsLog)
		if err != nil {
			return err
		}
		defer stopOps()
	}
	return b.Run(ctx)
}

// slackHTTPTimeout bounds every Web API call, including the reconnect
// jitter's wait before apps.connections.open (socket.MaxReconnectJitter).
const slackHTTPTimeout = 15 * time.Second

// slackOptions configures the Web API client: our base URL if set, a
// timeout on every call, transport (which watches for a dead token and
// counts the calls for /metrics) with jitter added before Socket Mode
// reconnects, and retries of rate-limited (429) and failed connections
// with slack-go's backoff.
func slackOptions(cfg config, transport http.RoundTripper) []slack.Option {
	retry := slack.DefaultRetryConfig()
	retry.MaxRetries = 4
	retry.RetryAfterDuration = 5 * time.Second
	retry.Handlers = slack.AllBuiltinRetryHandlers(retry)
	opts := []slack.Option{
		slack.OptionAppLevelToken(cfg.appToken),
		slack.OptionHTTPClient(&http.Client{Timeout: slackHTTPTimeout, Transport: socket.ReconnectJitter(transport)}),
		slack.OptionRetryConfig(retry),
	}
	if cfg.apiURL != "" {
		opts = append(opts, slack.OptionAPIURL(cfg.apiURL))
	}
	return opts
}

// newLogger returns the program's logger: text or JSON lines on w, at the
// configured level, each key once per line.
func newLogger(cfg config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.logLevel}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if cfg.logFormat == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(uniqueKeys(h))
}
