-- 0006: at most one weekly prompt per channel per calendar week, and an
-- interrupted post that stops being retried once it is too old.

-- week: the calendar week (Monday to Sunday in the channel's timezone) a
-- post belongs to, as the date of its Monday (YYYYMMDD): the week of its
-- slot for a scheduled post, of the request for "weekly now". The unique
-- index below makes a week postable once whatever the schedule changes; a
-- failed post gives its week back. Existing rows get their week from the
-- Go step of this migration (backfillTeamPostWeeks in migrate.go), which
-- knows timezones; 0 is left only on a post that shared its week with an
-- earlier one (a schedule change could post twice in a week before this).
ALTER TABLE team_posts ADD COLUMN week INTEGER NOT NULL DEFAULT 0;

-- requested_at: when the post was first claimed (for "weekly now": asked
-- for). claimed_at is renewed by whichever process takes over an
-- interrupted post; requested_at never changes, so the catch-up window is
-- measured from it.
ALTER TABLE team_posts ADD COLUMN requested_at INTEGER NOT NULL DEFAULT 0;
UPDATE team_posts SET requested_at = claimed_at;

CREATE UNIQUE INDEX team_posts_one_per_week ON team_posts (channel_id, week)
    WHERE week > 0 AND state <> 'failed';
