// `npm run bench:readings`: rows per second the telemetry writer stores (COPY batches with the device rows kept
// current, through the group committer, as the hub runs it) against raw COPY of the same rows into the same
// table in the same run (no device rows, no committer). Embedded PostgreSQL in a temp folder, or DATABASE_URL.
// With --hourly, also times one device's 30-day hourly series from the raw table and from the aggregate.
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { Command } from 'commander'
import { from as copyFrom } from 'pg-copy-streams'
import { pino } from 'pino'
import { fallSensor } from '../../devices/fall-sensor.js'
import { GroupCommitter } from '../../src/ingest/group-commit.js'
import { copyText, READING_COLUMNS, type ReadingRow } from '../../src/ingest/reading-rows.js'
import { type StateItem, TELEMETRY_BATCHING, telemetryWriter } from '../../src/ingest/telemetry-writer.js'
import { createMetrics } from '../../src/metrics.js'
import { createPool, type Db } from '../../src/store/db.js'
import { startEmbedded } from '../../src/store/embedded.js'
import { migrate } from '../../src/store/migrate.js'
import { bucketedReadings } from '../../src/store/readings.js'
import { refreshAggregate } from '../fixtures/db.js'

const o = new Command('bench:readings')
  .option('--rows <n>', 'readings per pass', Number, 200_000)
  .option('--devices <n>', 'devices the readings are spread over', Number, 1_000)
  .option(
    '--hourly <rows>',
    'instead: generate this many readings over 30 days (TimescaleDB at DATABASE_URL) and time the hourly series from the raw table and from the aggregate',
    Number,
  )
  .parse()
  .opts<{ rows: number; devices: number; hourly?: number }>()

const T0 = Date.parse('2026-11-01T00:00:00Z')

function rows(n: number, devices: string[], offset: number): ReadingRow[] {
  const receivedAt = new Date()
  return Array.from({ length: n }, (_, i) => ({
    deviceId: devices[i % devices.length]!,
    reading: {
      ts: new Date(T0 + offset + Math.floor(i / devices.length) * 1000),
      battery: i % 101,
      rssi: -(i % 90),
      values: { occupancy: i % 3, respiration: 12 + (i % 7) },
    },
    metrics: fallSensor.metrics!,
    receivedAt,
  }))
}

/** Raw COPY, one transaction per writer-sized batch: what the table itself takes. */
async function rawCopy(db: Db, batch: ReadingRow[]) {
  const c = await db.connect()
  try {
    const sql = `COPY readings (${READING_COLUMNS.join(', ')}) FROM STDIN`
    for (let i = 0; i < batch.length; i += TELEMETRY_BATCHING.maxBatch) {
      await c.query('BEGIN')
      await pipeline(
        Readable.from([copyText(batch.slice(i, i + TELEMETRY_BATCHING.maxBatch))]),
        c.query(copyFrom(sql)),
      )
      await c.query('COMMIT')
    }
  } finally {
    c.release()
  }
}

async function throughWriter(db: Db, batch: ReadingRow[]) {
  const writer = new GroupCommitter<StateItem>(telemetryWriter(db, createMetrics()), TELEMETRY_BATCHING)
  const chunk = 20_000
  let previous: Promise<unknown> = Promise.resolve()
  for (let i = 0; i < batch.length; i += chunk) {
    const next = Promise.all(batch.slice(i, i + chunk).map((r) => writer.submit({ kind: 'reading', ...r })))
    await previous
    previous = next
  }
  await previous
  await writer.drain()
}

async function timed(name: string, fn: () => Promise<void>) {
  const t0 = performance.now()
  await fn()
  const s = (performance.now() - t0) / 1000
  const perSecond = o.rows / s
  console.log(
    `${name}: ${o.rows} rows in ${s.toFixed(1)} s = ${Math.round(perSecond).toLocaleString('en')} rows/s`,
  )
  return perSecond
}

/** One device's 30-day hourly series on `total` readings: raw table against the continuous aggregate. */
async function hourlySeries(db: Db, total: number) {
  const ext = await db.query(`SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'`)
  if (!ext.rowCount) throw new Error('--hourly needs DATABASE_URL pointing at TimescaleDB')
  const days = 30
  const perDevice = Math.ceil(total / o.devices)
  const step = (days * 86_400) / perDevice
  const end = Math.floor(Date.now() / 3_600_000) * 3_600_000
  const start = new Date(end - days * 86_400_000)
  let t0 = performance.now()
  // bounded: total rows, in one statement per 100 devices; a database that has them already is reused
  const have = (await db.query('SELECT count(*)::int AS n FROM readings')).rows[0].n
  for (let d = 0; have < total && d < o.devices; d += 100) {
    await db.query(
      `INSERT INTO readings (device_id, ts, received_at, battery, rssi, m1, m2)
       SELECT 'dev_bench_' || dev, t, t, 50 + (n % 40), -60 - (n % 25), n % 3, 12 + (n % 7) * 0.5
       FROM generate_series($1::int, $2::int) AS dev, generate_series(0, $3::int - 1) AS n,
         LATERAL (SELECT $4::timestamptz + n * make_interval(secs => $5) AS t) x`,
      [d, Math.min(d + 100, o.devices) - 1, perDevice, start, step],
    )
  }
  const generated = (performance.now() - t0) / 1000
  t0 = performance.now()
  await refreshAggregate(db, 'readings_hourly')
  const refreshed = (performance.now() - t0) / 1000
  const { rows } = await db.query('SELECT count(*)::int AS n FROM readings')
  console.log(
    `${rows[0].n.toLocaleString('en')} readings (${o.devices} devices × ${perDevice}, one every ${step.toFixed(0)} s) ${have >= total ? 'already there' : `generated in ${generated.toFixed(0)} s`}; hourly aggregate refreshed in ${refreshed.toFixed(0)} s`,
  )
  const dev = { id: 'dev_bench_7', type: 'fall-sensor' }
  const times: Record<string, number[]> = { raw: [], aggregate: [] }
  for (let i = 0; i < 10; i++) {
    for (const aggregates of [false, true]) {
      t0 = performance.now()
      const series = await bucketedReadings(db, dev, start, new Date(end), 3600, 1000, { aggregates })
      if (series.length !== 720) throw new Error(`expected 720 hourly buckets, got ${series.length}`)
      times[aggregates ? 'aggregate' : 'raw']!.push(performance.now() - t0)
    }
  }
  for (const [name, ms] of Object.entries(times)) {
    ms.sort((a, b) => a - b)
    console.log(
      `30-day hourly series of one device (720 buckets), ${name === 'raw' ? 'from the raw table' : 'from readings_hourly'}: median ${ms[5]!.toFixed(1)} ms, min ${ms[0]!.toFixed(1)}, max ${ms.at(-1)!.toFixed(1)} (10 runs)`,
    )
  }
}

async function main() {
  let url = process.env.DATABASE_URL
  let stop = async () => {}
  if (!url) {
    const dir = await mkdtemp(path.join(tmpdir(), 'bench-readings-'))
    await chmod(dir, 0o755)
    const pg = await startEmbedded(dir, pino({ level: 'silent' }))
    url = pg.url
    stop = async () => {
      await pg.stop()
      await rm(dir, { recursive: true, force: true })
    }
  }
  const db = createPool(url, 4)
  try {
    await migrate(db)
    const devices = Array.from({ length: o.devices }, (_, i) => `dev_bench_${i}`)
    await db.query(
      `INSERT INTO sites (id, kind, name, address) VALUES ('site_bench', 'home', 'Bench', '-') ON CONFLICT DO NOTHING`,
    )
    await db.query(
      `INSERT INTO devices (id, type, site_id, secret_hash) SELECT id, 'fall-sensor', 'site_bench', '\\x00'
       FROM unnest($1::text[]) AS id ON CONFLICT DO NOTHING`,
      [devices],
    )
    if (o.hourly) return await hourlySeries(db, o.hourly)
    // interleaved, each pass on its own day of device time, so neither runs on a warmer table only
    const day = 86_400_000
    const raw1 = await timed('raw COPY', () => rawCopy(db, rows(o.rows, devices, 0)))
    const w1 = await timed('writer', () => throughWriter(db, rows(o.rows, devices, day)))
    const raw2 = await timed('raw COPY', () => rawCopy(db, rows(o.rows, devices, 2 * day)))
    const w2 = await timed('writer', () => throughWriter(db, rows(o.rows, devices, 3 * day)))
    const { rows: n } = await db.query('SELECT count(*)::int AS n FROM readings')
    if (n[0].n !== 4 * o.rows) throw new Error(`expected ${4 * o.rows} rows, found ${n[0].n}`)
    const raw = (raw1 + raw2) / 2
    const w = (w1 + w2) / 2
    console.log(
      `writer / raw COPY: ${(w / raw).toFixed(2)}× (${Math.round(w).toLocaleString('en')} against ${Math.round(raw).toLocaleString('en')} rows/s, ${o.devices} devices; all ${4 * o.rows} rows counted)`,
    )
  } finally {
    await db.end()
    await stop()
  }
}

await main()
