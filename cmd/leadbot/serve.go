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
	"github.com/leadcoach/leadbot/prompts"
	"github.com/leadcoach/leadbot/storage"
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
	db, err := storage.Open(ctx, cfg.dbPath)
	if err != nil {
		return fmt.Errorf("LEADBOT_DB: %w", err)
	}
	defer db.Close()
	log.Info("database ready", "path", cfg.dbPath)

	api := slack.New(cfg.botToken, slackOptions(cfg)...)
	b, err := bot.New(bot.Config{
		Socket:   socketmode.New(api),
		API:      api,
		Store:    db,
		Library:  lib,
		Logger:   log,
		Catchup:  cfg.catchup,
		SendRate: cfg.sendRate,
	})
	if err != nil {
		return err
	}
	return b.Run(ctx)
}

// slackOptions configures the Web API client: our base URL if set, a
// timeout on every call, and retries of rate-limited (429) and failed
// connections with slack-go's backoff.
func slackOptions(cfg config) []slack.Option {
	retry := slack.DefaultRetryConfig()
	retry.MaxRetries = 4
	retry.RetryAfterDuration = 5 * time.Second
	retry.Handlers = slack.AllBuiltinRetryHandlers(retry)
	opts := []slack.Option{
		slack.OptionAppLevelToken(cfg.appToken),
		slack.OptionHTTPClient(&http.Client{Timeout: 15 * time.Second}),
		slack.OptionRetryConfig(retry),
	}
	if cfg.apiURL != "" {
		opts = append(opts, slack.OptionAPIURL(cfg.apiURL))
	}
	return opts
}

func newLogger(cfg config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.logLevel}
	if cfg.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
