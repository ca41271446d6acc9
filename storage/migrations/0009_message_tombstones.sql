-- 0009: edits and deletions that arrive before the message they change.
--
-- Slack does not promise the order of events: a message_changed or
-- message_deleted can come before the message itself (the message was
-- redelivered after a failure, or its event was late). The change is kept
-- here, keyed like the message, so that when the message arrives it is
-- stored as edited or, once deleted, not at all. A deletion names no user
-- (user_id and text stay ''); an edit keeps its author and the new text
-- until the message comes. Rows go with the processed event ids
-- (PruneEvents), once Slack can no longer deliver the message, and with
-- the user (Forget).
CREATE TABLE message_tombstones (
    channel    TEXT NOT NULL,
    ts         TEXT NOT NULL,
    deleted    INTEGER NOT NULL CHECK (deleted IN (0, 1)),
    user_id    TEXT NOT NULL DEFAULT '',
    text       TEXT NOT NULL DEFAULT '',
    changed_at INTEGER NOT NULL,
    PRIMARY KEY (channel, ts)
) STRICT, WITHOUT ROWID;

CREATE INDEX message_tombstones_by_time ON message_tombstones (changed_at);
CREATE INDEX message_tombstones_by_user ON message_tombstones (user_id) WHERE user_id <> '';
