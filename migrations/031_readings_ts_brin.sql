-- migrate: no-transaction
-- migrate: only-without timescaledb
-- On plain PostgreSQL the hub deletes readings past HUB_READINGS_RETENTION itself, hourly, oldest first: a BRIN
-- index on ts (a few pages: readings arrive roughly in time order) finds them without scanning the table.
-- Built concurrently, so a hub upgrading a large table does not block the writer meanwhile. Not on TimescaleDB:
-- its retention policy drops whole chunks, and hypertables take no concurrent index builds.
CREATE INDEX CONCURRENTLY IF NOT EXISTS readings_ts_brin ON readings USING brin (ts);
