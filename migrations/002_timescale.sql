-- Where the timescaledb extension is installed (the docker-compose deployment), readings become a
-- hypertable with compression and a retention policy. On plain PostgreSQL this migration does nothing and
-- every query keeps working (queries use date_bin, not time_bucket).
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb') THEN
    CREATE EXTENSION IF NOT EXISTS timescaledb;
    PERFORM create_hypertable('readings', 'ts', chunk_time_interval => interval '1 day', migrate_data => true);
    EXECUTE 'ALTER TABLE readings SET (timescaledb.compress, timescaledb.compress_segmentby = ''device_id'')';
    PERFORM add_compression_policy('readings', interval '7 days');
    PERFORM add_retention_policy('readings', interval '400 days');
  END IF;
END
$$;
