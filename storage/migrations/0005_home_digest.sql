-- 0005: the App Home and the weekly progress digest.

-- home_opened_at: when the user last opened the bot's Home tab (0 never), so
-- the Home tab is republished on changes only for people who look at it.
ALTER TABLE users ADD COLUMN home_opened_at INTEGER NOT NULL DEFAULT 0;

-- The weekly digest (Friday 16:00 local by default): on or off, and the
-- next time it is due (UTC unix seconds).
ALTER TABLE subscriptions ADD COLUMN digest_on INTEGER NOT NULL DEFAULT 1;
ALTER TABLE subscriptions ADD COLUMN digest_next_at INTEGER NOT NULL DEFAULT 0;

CREATE INDEX subscriptions_digest_due ON subscriptions (digest_on, digest_next_at);

-- digests: one row per user and week sent (or being sent), unique so a
-- week's digest goes out once across restarts and processes.
CREATE TABLE digests (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    slot       INTEGER NOT NULL,
    state      TEXT NOT NULL CHECK (state IN ('claimed', 'sent', 'failed')),
    claimed_at INTEGER NOT NULL,
    sent_at    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, slot)
) STRICT;
