package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
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
	log.Info("database ready", keyPath, cfg.dbPath)

	var metrics *bot.Metrics // nil (nothing measured) when LEADBOT_ADDR=off
	if cfg.addr != "" {
		metrics = bot.NewMetrics()
	}
	tokens := socket.NewTokenWatch()
	api := slack.New(cfg.botToken, bot.WebAPIOptions(bot.WebAPIConfig{
		AppToken: cfg.appToken, URL: cfg.apiURL, Timeout: slackHTTPTimeout,
		Transport: tokens.Transport(metrics.Transport(nil)), // watches for a dead token, counts calls for /metrics
	})...)
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
		dbCheck := databaseCheck(db)
		// Stopped after b.Run returns (the bot has shut down), before the
		// database closes.
		opsLog := log.With(keyComponent, "http")
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
