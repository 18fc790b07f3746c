-- migrate: no-transaction
-- migrate: only-with timescaledb
-- Continuous aggregates of readings per device per hour and per day (the day from the hour), with sums and
-- counts rather than averages, so that any run of whole hours or days combines exactly (src/store/readings.ts).
-- Real-time: buckets not yet materialised are computed from the raw rows at query time. Created WITH NO DATA
-- and outside a transaction (TimescaleDB refuses a continuous aggregate inside one); safe to run again.
CREATE MATERIALIZED VIEW IF NOT EXISTS readings_hourly
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT device_id, time_bucket(interval '1 hour', ts) AS bucket, count(*) AS n,
  sum(battery::float8) AS battery_sum, count(battery) AS battery_n,
  sum(rssi::float8) AS rssi_sum, count(rssi) AS rssi_n,
  sum(m1) AS m1_sum, count(m1) AS m1_n, sum(m2) AS m2_sum, count(m2) AS m2_n,
  sum(m3) AS m3_sum, count(m3) AS m3_n, sum(m4) AS m4_sum, count(m4) AS m4_n
FROM readings GROUP BY device_id, time_bucket(interval '1 hour', ts)
WITH NO DATA;

-- late readings (device time in the past) are picked up by the next refresh of their range
SELECT add_continuous_aggregate_policy('readings_hourly', start_offset => interval '35 days',
  end_offset => interval '1 hour', schedule_interval => interval '15 minutes', if_not_exists => true);

CREATE MATERIALIZED VIEW IF NOT EXISTS readings_daily
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT device_id, time_bucket(interval '1 day', bucket) AS bucket, sum(n)::bigint AS n,
  sum(battery_sum) AS battery_sum, sum(battery_n)::bigint AS battery_n,
  sum(rssi_sum) AS rssi_sum, sum(rssi_n)::bigint AS rssi_n,
  sum(m1_sum) AS m1_sum, sum(m1_n)::bigint AS m1_n, sum(m2_sum) AS m2_sum, sum(m2_n)::bigint AS m2_n,
  sum(m3_sum) AS m3_sum, sum(m3_n)::bigint AS m3_n, sum(m4_sum) AS m4_sum, sum(m4_n)::bigint AS m4_n
FROM readings_hourly GROUP BY device_id, time_bucket(interval '1 day', bucket)
WITH NO DATA;

SELECT add_continuous_aggregate_policy('readings_daily', start_offset => interval '40 days',
  end_offset => interval '1 day', schedule_interval => interval '1 hour', if_not_exists => true);
