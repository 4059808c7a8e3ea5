-- Full-text search of messages (GET /search/messages).
--
-- The text search configuration is search.text_search_config, put in by Flyway (placeholder
-- search_config, see Database.migrate) when this migration runs, and fixed from then on: the
-- stored vectors and every query use parley_search_config(), so they always agree. Changing the
-- setting later changes nothing (a warning says so at start); it needs a migration that
-- redefines the function and rebuilds the column.
CREATE FUNCTION parley_search_config() RETURNS regconfig
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT '${search_config}'::regconfig $$;

-- Deleted messages have a NULL body, so their vector is empty and never matches. Adding a
-- stored column rewrites the table (it is locked meanwhile).
ALTER TABLE messages ADD COLUMN search_tsv tsvector
  GENERATED ALWAYS AS (to_tsvector(parley_search_config(), coalesce(body, ''))) STORED;

-- fastupdate off: each insert updates the index itself. With the pending list (on, PostgreSQL's
-- default) the insert that overflows it merges it all inside the send's statement, stalling the
-- whole group commit: fan-out medians went from 20 ms to 250 ms (docs/benchmarks.md).
CREATE INDEX messages_search ON messages USING gin (search_tsv) WITH (fastupdate = off);
