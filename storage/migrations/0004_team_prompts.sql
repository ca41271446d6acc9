-- 0004: weekly prompts in team channels, and the replies in their threads.

-- team_channels: one per channel where /lead-tip weekly was ever turned on.
-- weekday (0 Sunday ... 6 Saturday, as time.Weekday) and minute (after
-- midnight) are local times in tz, the timezone of the person who set it
-- (owner_id), copied at set-up so the channel's time does not move when
-- they travel. next_at is the next week slot (UTC unix seconds).
-- status: active; paused (the bot could not post: pause_reason says why,
-- owner_notified_at when the owner was told, once); off (turned off; the
-- row stays so the channel's prompt order carries on if it comes back).
CREATE TABLE team_channels (
    channel_id        TEXT PRIMARY KEY,
    team_id           TEXT NOT NULL DEFAULT '',
    owner_id          TEXT NOT NULL,
    tz                TEXT NOT NULL DEFAULT '',
    weekday           INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    minute            INTEGER NOT NULL CHECK (minute BETWEEN 0 AND 1439),
    status            TEXT NOT NULL CHECK (status IN ('active', 'paused', 'off')),
    pause_reason      TEXT NOT NULL DEFAULT '',
    paused_at         INTEGER NOT NULL DEFAULT 0,
    owner_notified_at INTEGER NOT NULL DEFAULT 0,
    next_at           INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
) STRICT;

CREATE INDEX team_channels_due ON team_channels (status, next_at);

-- team_posts: every weekly prompt posted (or being posted). The unique key
-- (channel_id, slot) makes each week slot postable once, across restarts
-- and processes: whoever inserts the row owns the post. slot is the
-- scheduled time of the week the post belongs to.
-- source: schedule (the weekly slot) or now (/lead-tip weekly now).
-- state: claimed (row written, not yet confirmed posted), sent, failed.
CREATE TABLE team_posts (
    id         INTEGER PRIMARY KEY,
    channel_id TEXT NOT NULL REFERENCES team_channels (channel_id) ON DELETE CASCADE,
    prompt_id  TEXT NOT NULL,
    slot       INTEGER NOT NULL,
    source     TEXT NOT NULL CHECK (source IN ('schedule', 'now')),
    state      TEXT NOT NULL CHECK (state IN ('claimed', 'sent', 'failed')),
    ts         TEXT NOT NULL DEFAULT '',
    claimed_at INTEGER NOT NULL,
    sent_at    INTEGER NOT NULL DEFAULT 0,
    UNIQUE (channel_id, slot)
) STRICT;

CREATE INDEX team_posts_by_message ON team_posts (channel_id, ts);
CREATE INDEX team_posts_claimed ON team_posts (state, claimed_at);

-- team_replies: what people wrote in a weekly prompt's thread. The text is
-- kept only as the channel keeps it: edits update it, deletions remove the
-- row. user_id is not a users row: most repliers never talk to the bot.
CREATE TABLE team_replies (
    id         INTEGER PRIMARY KEY,
    post_id    INTEGER NOT NULL REFERENCES team_posts (id) ON DELETE CASCADE,
    channel_id TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    ts         TEXT NOT NULL,
    text       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    edited_at  INTEGER NOT NULL DEFAULT 0,
    UNIQUE (channel_id, ts)
) STRICT;

CREATE INDEX team_replies_by_post ON team_replies (post_id);
