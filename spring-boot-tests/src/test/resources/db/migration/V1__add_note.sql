ALTER TABLE orders ADD COLUMN note text;
-- what the migration ran with, for the tests to read
CREATE TABLE seen_by_migration AS SELECT current_setting('lock_timeout') AS lock_timeout;
