-- 0002: which tips each user has been shown, and how often, so that
-- /lead-tip without words goes through the whole library before repeating.
CREATE TABLE tips_seen (
    user_id    TEXT NOT NULL,
    tip_id     TEXT NOT NULL,
    times      INTEGER NOT NULL DEFAULT 1,
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    PRIMARY KEY (user_id, tip_id)
) STRICT, WITHOUT ROWID;
