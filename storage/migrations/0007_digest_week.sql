-- 0007: one weekly digest per user and calendar week.
--
-- A digest's slot is a moment (Friday 16:00 in the user's timezone at the
-- time), so a user whose timezone moved west could get a second slot in
-- the same week. week is the Monday (YYYYMMDD, in the user's timezone, as
-- team_posts.week) of the week the digest belongs to, unique per user.

ALTER TABLE digests ADD COLUMN week INTEGER NOT NULL DEFAULT 0;

-- Existing rows: a Friday 16:00 anywhere on Earth falls between Friday
-- 02:00 and Saturday 04:00 UTC, so the UTC date's Monday is the local one.
UPDATE digests SET week = CAST(strftime('%Y%m%d', slot, 'unixepoch', 'weekday 0', '-6 days') AS INTEGER);

CREATE UNIQUE INDEX digests_user_week ON digests (user_id, week) WHERE week > 0;
