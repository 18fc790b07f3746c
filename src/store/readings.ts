import { deviceDefinition } from '../../devices/index.js'
import type { Queryable } from './db.js'

// Readings of one device: raw, averaged per bucket, the latest. Buckets use date_bin (not time_bucket) so the
// same query runs on plain PostgreSQL; with TimescaleDB the whole hours and days of the range come from the
// continuous aggregates readings_hourly / readings_daily (sums and counts, so any multiple of an hour or a day
// combines exactly) and only the ragged ends from the raw table.

export type ReadingJson = { ts: string; battery?: number; rssi?: number; count?: number } & Record<
  string,
  unknown
>

export interface ReadingRow {
  ts: Date
  battery: number | null
  rssi: number | null
  m1: number | null
  m2: number | null
  m3: number | null
  m4: number | null
  data?: Record<string, number>
}

const SLOTS = ['m1', 'm2', 'm3', 'm4'] as const
const HOUR = 3600
const DAY = 86_400

/** A row as the API shows it: typed slots named by the device type's metrics, then the jsonb rest. */
function toJson(r: ReadingRow, metrics: readonly string[]): ReadingJson {
  const out: ReadingJson = { ts: r.ts.toISOString() }
  if (r.battery !== null) out.battery = r.battery
  if (r.rssi !== null) out.rssi = r.rssi
  metrics.forEach((name, i) => {
    const v = r[SLOTS[i]!]
    if (v !== null) out[name] = v
  })
  return Object.assign(out, r.data)
}

const metricsOf = (type: string) => deviceDefinition(type)?.metrics ?? []

/** A stored reading of a device of `type` as the API shows it. */
export const readingJson = (r: ReadingRow, type: string) => toJson(r, metricsOf(type))

const RAW_COLUMNS = 'ts, battery, rssi, m1, m2, m3, m4, data'

export async function rawReadings(
  q: Queryable,
  device: { id: string; type: string },
  from: Date,
  to: Date,
  limit: number,
): Promise<ReadingJson[]> {
  const { rows } = await q.query<ReadingRow>(
    `SELECT ${RAW_COLUMNS} FROM readings WHERE device_id = $1 AND ts >= $2 AND ts < $3 ORDER BY ts LIMIT $4`,
    [device.id, from, to, limit],
  )
  const metrics = metricsOf(device.type)
  return rows.map((r) => toJson(r, metrics))
}

/** Whether the database has the continuous aggregates (TimescaleDB), looked up once per pool. */
const aggregates = new WeakMap<Queryable, Promise<boolean>>()
function hasAggregates(q: Queryable): Promise<boolean> {
  let known = aggregates.get(q)
  if (!known) {
    known = q
      .query(`SELECT to_regclass('readings_hourly') IS NOT NULL AS ok`)
      .then((r) => r.rows[0].ok as boolean)
    aggregates.set(q, known)
  }
  return known
}

const sums = ['battery', 'rssi', ...SLOTS]
const fromRaw = `SELECT ts, 1 AS n, ${sums.map((c) => `${c}::float8 AS ${c}_sum, (${c} IS NOT NULL)::int AS ${c}_n`).join(', ')}
  FROM readings WHERE device_id = $1`
const averages = sums.map((c) => `(sum(${c}_sum) / nullif(sum(${c}_n), 0))::float8 AS ${c}`).join(', ')

/**
 * Averages per bucket (`bucketSeconds`, aligned to 2000-01-01 UTC) with each bucket's count, oldest first.
 * Only typed metrics are averaged (battery, rssi, the type's `metrics`); other numbers are in raw readings.
 */
export async function bucketedReadings(
  q: Queryable,
  device: { id: string; type: string },
  from: Date,
  to: Date,
  bucketSeconds: number,
  limit: number,
  opts: { aggregates?: boolean } = {},
): Promise<ReadingJson[]> {
  const unit = bucketSeconds % DAY === 0 ? DAY : bucketSeconds % HOUR === 0 ? HOUR : 0
  const useAggregate = unit > 0 && (opts.aggregates ?? (await hasAggregates(q)))
  const params: unknown[] = [device.id, from, to, bucketSeconds, limit]
  let parts = `${fromRaw} AND ts >= $2 AND ts < $3`
  if (useAggregate) {
    // whole units inside [from, to) from the aggregate, the ragged ends from the raw table
    const ms = unit * 1000
    const wholeFrom = Math.ceil(from.getTime() / ms) * ms
    const wholeTo = Math.max(wholeFrom, Math.floor(to.getTime() / ms) * ms)
    params.push(new Date(wholeFrom), new Date(wholeTo))
    parts = `SELECT bucket AS ts, n, ${sums.map((c) => `${c}_sum, ${c}_n`).join(', ')}
      FROM ${unit === DAY ? 'readings_daily' : 'readings_hourly'} WHERE device_id = $1 AND bucket >= $6::timestamptz AND bucket < $7::timestamptz
      UNION ALL ${fromRaw} AND ts >= $2 AND ts < $6::timestamptz
      UNION ALL ${fromRaw} AND ts >= greatest($7::timestamptz, $2::timestamptz) AND ts < $3`
  }
  const { rows } = await q.query<ReadingRow & { count: number }>(
    `SELECT date_bin(make_interval(secs => $4), ts, timestamptz '2000-01-01') AS ts, sum(n)::int AS count,
       ${averages}
     FROM (${parts}) p GROUP BY 1 ORDER BY 1 LIMIT $5`,
    params,
  )
  const metrics = metricsOf(device.type)
  return rows.map((r) => ({ ...toJson(r, metrics), count: r.count }))
}

/** The device's newest reading by device time, or null: one index probe. */
export async function latestReading(
  q: Queryable,
  device: { id: string; type: string },
): Promise<ReadingJson | null> {
  const { rows } = await q.query<ReadingRow>(
    `SELECT ${RAW_COLUMNS} FROM readings WHERE device_id = $1 ORDER BY ts DESC LIMIT 1`,
    [device.id],
  )
  return rows[0] ? toJson(rows[0], metricsOf(device.type)) : null
}
