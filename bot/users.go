package bot

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/slack-go/slack"

	"github.com/leadcoach/leadbot/bot/calendar"
	"github.com/leadcoach/leadbot/storage"
)

// person is who a command, a button press or a form acts for: always the
// user who typed, pressed or sent it, never an id from a value.
type person struct{ id, team string }

// tzMaxAge is how long a user's timezone read from Slack is trusted before
// it is read again (user_change events update it sooner).
const tzMaxAge = 24 * time.Hour

// user returns the stored user, creating them if new and reading their
// timezone from users.info when it is unknown or older than tzMaxAge. If
// Slack cannot be asked, what is stored is used (UTC if nothing is).
func (b *Bot) user(ctx context.Context, log *slog.Logger, userID, teamID string) (storage.User, *time.Location) {
	u, err := b.store.User(ctx, userID)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		log.Warn("could not read user", keyErr, err)
	}
	if u.ID == "" {
		u = storage.User{ID: userID, TeamID: teamID}
	}
	if u.TeamID == "" {
		u.TeamID = teamID
	}
	now := b.now()
	if u.TZ == "" || now.Sub(u.TZCheckedAt) > tzMaxAge {
		info, err := b.api.GetUserInfoContext(ctx, userID)
		if err != nil {
			log.Warn("users.info failed; using the stored timezone", keyErr, slackErrorCode(err))
		} else {
			u.TZ, u.TZCheckedAt = info.TZ, now
			if u.TeamID == "" {
				u.TeamID = info.TeamID
			}
		}
	}
	if err := b.store.SaveUser(ctx, u); err != nil {
		log.Warn("could not save user", keyErr, err)
	}
	return u, calendar.LoadLocation(u.TZ)
}

// storedLocation returns userID's stored timezone, without asking Slack:
// UTC if none is stored, or if it cannot be read (logged).
func (b *Bot) storedLocation(ctx context.Context, log *slog.Logger, userID string) *time.Location {
	u, err := b.store.User(ctx, userID)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		log.Warn("could not read the user's timezone; using UTC", keyErr, err)
	}
	return calendar.LoadLocation(u.TZ)
}

// dmChannel returns the DM channel with the user, opening it once with
// conversations.open (Tier 3: about 50 calls a minute) and keeping its id.
func (b *Bot) dmChannel(ctx context.Context, u storage.User) (string, error) {
	if u.DMChannel != "" {
		return u.DMChannel, nil
	}
	if err := b.sched.limit.Wait(ctx); err != nil {
		return "", err
	}
	ch, _, _, err := b.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{u.ID}})
	if err != nil {
		return "", err
	}
	if err := b.store.SaveUser(ctx, storage.User{ID: u.ID, DMChannel: ch.ID}); err != nil {
		return "", err
	}
	return ch.ID, nil
}
