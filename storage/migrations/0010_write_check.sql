-- 0010: one row that /healthz rewrites to check that writes reach the file.
-- Reads go on working on a full disk or a file that cannot be written;
-- only a write shows it. Rewriting one row keeps the file the same size.
CREATE TABLE write_check (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    checked_at INTEGER NOT NULL
) STRICT;

INSERT INTO write_check (id, checked_at) VALUES (1, 0);
