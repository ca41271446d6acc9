package main

import (
	"context"
	"fmt"
	"time"

	"github.com/leadcoach/leadbot/bot/calendar"
	"github.com/leadcoach/leadbot/storage"
)

// seedTZs spreads the seeded users over a few timezones.
var seedTZs = [...]string{"Europe/Berlin", "America/New_York", "Asia/Kolkata", "America/Los_Angeles", "Europe/London"}

// seedUsers creates the database at path with n users, each subscribed
// (Monday, Wednesday, Friday at 09:30) with a known DM channel, as in
// steady state. Their next slot is a week away, so the scheduler has
// nothing to send during the run: the load is the slash commands.
func seedUsers(ctx context.Context, path string, n int, now time.Time) error {
	db, err := storage.Open(ctx, path, storage.WithWeeks(calendar.WeekKey))
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	defer db.Close()
	next := now.Add(7 * 24 * time.Hour).Truncate(time.Minute)
	for i := range n {
		id := userID(i)
		if err := db.SaveUser(ctx, storage.User{
			ID: id, TeamID: "T0LEAD", TZ: seedTZs[i%len(seedTZs)], TZCheckedAt: now, DMChannel: "D" + id,
		}); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		if err := db.SaveSubscription(ctx, storage.Subscription{
			UserID: id, Days: 1<<time.Monday | 1<<time.Wednesday | 1<<time.Friday, Minute: 9*60 + 30,
			Status: storage.StatusActive, NextAt: next, DigestOn: true, DigestNextAt: next,
		}); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
	}
	return db.Close()
}
