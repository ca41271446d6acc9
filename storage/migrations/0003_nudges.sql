-- 0003: scheduled nudges by DM and the replies to them.

-- subscriptions: one per user who said /lead-tip start. days is a bit set
-- (bit 0 = Sunday ... bit 6 = Saturday, as time.Weekday), minute the local
-- time of day in minutes after midnight, in the user's timezone (users.tz).
-- next_at is the next slot (UTC unix seconds) the scheduler will deliver.
-- status: active, paused (until paused_until, 0 = until resumed) or stopped.
CREATE TABLE subscriptions (
    user_id      TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    days         INTEGER NOT NULL,
    minute       INTEGER NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('active', 'paused', 'stopped')),
    paused_until INTEGER NOT NULL DEFAULT 0,
    next_at      INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
) STRICT;

CREATE INDEX subscriptions_due ON subscriptions (status, next_at);

-- deliveries: every nudge sent (or being sent) to a user. The unique key
-- (user_id, slot, source) makes each scheduled slot deliverable once, across
-- restarts and processes: whoever inserts the row owns the send.
-- source: schedule (a slot of the user's schedule), now (/lead-tip nudge),
-- reask (the same nudge again after "Not yet").
-- state: claimed (row written, message not yet confirmed posted), sent,
-- failed (Slack refused it for good).
-- outcome: '' until answered, then done, not_yet, skipped or replied.
CREATE TABLE deliveries (
    id           INTEGER PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    nudge_id     TEXT NOT NULL,
    kind         TEXT NOT NULL,
    source       TEXT NOT NULL CHECK (source IN ('schedule', 'now', 'reask')),
    slot         INTEGER NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('claimed', 'sent', 'failed')),
    channel      TEXT NOT NULL DEFAULT '',
    ts           TEXT NOT NULL DEFAULT '',
    claimed_at   INTEGER NOT NULL,
    sent_at      INTEGER NOT NULL DEFAULT 0,
    outcome      TEXT NOT NULL DEFAULT '' CHECK (outcome IN ('', 'done', 'not_yet', 'skipped', 'replied')),
    outcome_at   INTEGER NOT NULL DEFAULT 0,
    reask_at     INTEGER NOT NULL DEFAULT 0,
    followup_at  INTEGER NOT NULL DEFAULT 0,
    UNIQUE (user_id, slot, source)
) STRICT;

CREATE INDEX deliveries_by_user ON deliveries (user_id, claimed_at);
CREATE INDEX deliveries_by_message ON deliveries (channel, ts);
CREATE INDEX deliveries_reask ON deliveries (reask_at) WHERE reask_at > 0;
CREATE INDEX deliveries_followup ON deliveries (state, outcome, followup_at, sent_at);

-- replies: what users wrote in a nudge's thread or in the DM shortly
-- after it. The text is stored as sent (edits update it, deletions remove
-- the row); (channel, ts) identifies the Slack message.
CREATE TABLE replies (
    id          INTEGER PRIMARY KEY,
    delivery_id INTEGER NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    channel     TEXT NOT NULL,
    ts          TEXT NOT NULL,
    thread_ts   TEXT NOT NULL DEFAULT '',
    text        TEXT NOT NULL,
    via         TEXT NOT NULL CHECK (via IN ('thread', 'dm')),
    created_at  INTEGER NOT NULL,
    edited_at   INTEGER NOT NULL DEFAULT 0,
    UNIQUE (channel, ts)
) STRICT;

CREATE INDEX replies_by_delivery ON replies (delivery_id);
CREATE INDEX replies_by_user ON replies (user_id, created_at);
