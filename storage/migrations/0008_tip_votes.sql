-- 0008: what users thought of the tips they were given (the Helpful?
-- buttons): one vote per user and tip, the latest press wins. Ratings per
-- tip show which content to improve (leadbot ratings).
CREATE TABLE tip_votes (
    user_id  TEXT NOT NULL,
    tip_id   TEXT NOT NULL,
    vote     INTEGER NOT NULL CHECK (vote IN (-1, 1)),
    voted_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, tip_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX tip_votes_by_tip ON tip_votes (tip_id);
