-- 0001: the starting schema. Later issues add their tables in new files;
-- a file that has been released is never edited again.

-- users holds one row per Slack user the bot has met. tz is the IANA name
-- from users.info; dm_channel is the bot's DM with the user once known, so
-- conversations.open (Tier 3) is not called for every message.
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    team_id       TEXT NOT NULL,
    tz            TEXT NOT NULL DEFAULT '',
    tz_checked_at INTEGER NOT NULL DEFAULT 0,
    dm_channel    TEXT NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
) STRICT;

-- processed_events remembers Events API event ids, so that an event Slack
-- delivers again (at-least-once) has its effect only once.
CREATE TABLE processed_events (
    event_id     TEXT PRIMARY KEY,
    processed_at INTEGER NOT NULL
) STRICT;

CREATE INDEX processed_events_by_time ON processed_events (processed_at);
