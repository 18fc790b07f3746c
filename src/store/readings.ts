import type { Queryable } from './db.js'

// Readings of one device, raw or averaged per bucket. date_bin (not time_bucket) so the same query runs on
// plain PostgreSQL and on a TimescaleDB hypertable.

type ReadingJson = { ts: string; battery?: number; rssi?: number; count?: number } & Record<string, unknown>

function toJson(r: { ts: Date; battery: number | null; rssi: number | null; data: Record<string, number> }) {
  const out: ReadingJson = { ts: r.ts.toISOString() }
  if (r.battery !== null) out.battery = r.battery
  if (r.rssi !== null) out.rssi = r.rssi
  return Object.assign(out, r.data)
}

export async function queryReadings(
  q: Queryable,
  deviceId: string,
  from: Date,
  to: Date,
  bucket: string | undefined,
  limit: number,
): Promise<ReadingJson[]> {
  if (!bucket) {
    const { rows } = await q.query(
      `SELECT ts, battery, rssi, data FROM readings WHERE device_id = $1 AND ts >= $2 AND ts < $3
       ORDER BY ts LIMIT $4`,
      [deviceId, from, to, limit],
    )
    return rows.map(toJson)
  }
  const { rows } = await q.query(
    `WITH r AS (
       SELECT date_bin($4::interval, ts, timestamptz '2000-01-01') AS b, battery, rssi, data
       FROM readings WHERE device_id = $1 AND ts >= $2 AND ts < $3)
     SELECT b AS ts, count(*)::int AS count, avg(battery)::float8 AS battery, avg(rssi)::float8 AS rssi,
       coalesce((SELECT jsonb_object_agg(key, av) FROM (
         SELECT e.key, avg(e.value::float8) AS av FROM r r2, jsonb_each_text(r2.data) e
         WHERE r2.b = r.b GROUP BY e.key) x), '{}') AS data
     FROM r GROUP BY b ORDER BY b LIMIT $5`,
    [deviceId, from, to, bucket, limit],
  )
  return rows.map((r) => ({ ...toJson(r), count: r.count }))
}
