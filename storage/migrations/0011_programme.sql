-- 0011: the first 90 days as a programme.

-- profiles: what a manager said of their situation, all of it optional.
-- started_on: the day they became a manager (UTC unix seconds of that
-- day's midnight), 0 if not said. former_peers and first_time: 0 not said,
-- 1 yes, 2 no. team_size: people reporting to them, 0 if not said.
CREATE TABLE profiles (
    user_id      TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    started_on   INTEGER NOT NULL DEFAULT 0,
    former_peers INTEGER NOT NULL DEFAULT 0 CHECK (former_peers IN (0, 1, 2)),
    first_time   INTEGER NOT NULL DEFAULT 0 CHECK (first_time IN (0, 1, 2)),
    team_size    INTEGER NOT NULL DEFAULT 0 CHECK (team_size >= 0),
    updated_at   INTEGER NOT NULL
) STRICT;

-- deliveries.looks_back: for a look-back (kind 'look-back'), the id of the
-- reply it shows the user again; answers to it are replies of that
-- delivery, so each is linked to the reply it looks back on.
ALTER TABLE deliveries ADD COLUMN looks_back INTEGER NOT NULL DEFAULT 0;
CREATE INDEX deliveries_looks_back ON deliveries (looks_back) WHERE looks_back > 0;

-- milestones: one-off messages, such as the day-90 summary, at most once
-- per user and name, delivered (and recovered) like every other message;
-- 'skipped' when it came due with nothing to say.
CREATE TABLE milestones (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    state      TEXT NOT NULL CHECK (state IN ('claimed', 'sent', 'failed', 'skipped')),
    claimed_at INTEGER NOT NULL,
    sent_at    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, name)
) STRICT;
