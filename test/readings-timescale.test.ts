import t from 'tap'
import { bucketedReadings } from '../src/store/readings.js'
import { dbClient, refreshAggregate } from './fixtures/db.js'
import { startTestHub } from './fixtures/hub.js'

// On TimescaleDB, hourly and daily buckets come from the continuous aggregates (whole hours or days) and the
// raw table (the ragged ends), and answer exactly what the raw table alone would. Needs a TimescaleDB server:
//   bash ../shared/timescaledb/install && D=$(mktemp -d) && chmod 755 $D
//   TEST_DATABASE_URL=$(bash ../shared/timescaledb/start $D/pg) npx tap test/readings-timescale.test.ts

if (!process.env.TEST_DATABASE_URL) {
  t.comment(
    'skipped: no TimescaleDB. Run it with TEST_DATABASE_URL=$(bash ../shared/timescaledb/start DIR) ' +
      'npx tap test/readings-timescale.test.ts (after bash ../shared/timescaledb/install), or npm run test:timescale',
  )
  t.pass('skipped without TEST_DATABASE_URL')
} else {
  t.test('readings on TimescaleDB: aggregates, retention, compression', async (t) => {
    const h = await startTestHub(t, { HUB_READINGS_RETENTION: '30d' })
    const db = await dbClient(t, h.hub.databaseUrl)
    const ext = await db.query(`SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'`)
    if (ext.rowCount === 0) {
      t.comment('skipped: TEST_DATABASE_URL has no TimescaleDB')
      return
    }

    await t.test(
      'policies: compression after 7 days, retention as configured, aggregates refreshed',
      async (t) => {
        const { rows } = await db.query(
          `SELECT proc_name, hypertable_name, config FROM timescaledb_information.jobs
         WHERE hypertable_name IN ('readings', 'readings_hourly', 'readings_daily') ORDER BY hypertable_name, proc_name`,
        )
        t.match(rows, [
          {
            proc_name: 'policy_compression',
            hypertable_name: 'readings',
            config: { compress_after: '7 days' },
          },
          { proc_name: 'policy_retention', hypertable_name: 'readings', config: { drop_after: '30 days' } },
          { proc_name: 'policy_refresh_continuous_aggregate', hypertable_name: 'readings_daily' },
          { proc_name: 'policy_refresh_continuous_aggregate', hypertable_name: 'readings_hourly' },
        ])
        const caggs = await db.query(
          `SELECT view_name, materialized_only FROM timescaledb_information.continuous_aggregates ORDER BY view_name`,
        )
        t.same(caggs.rows, [
          { view_name: 'readings_daily', materialized_only: false },
          { view_name: 'readings_hourly', materialized_only: false },
        ])
      },
    )

    await t.test('hourly and daily buckets come from the aggregates and equal the raw answer', async (t) => {
      const { device } = await h.provision('fall-sensor')
      const day0 = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 10 * 86_400_000
      // three days, one reading a minute, battery and rssi and both typed metrics varying
      await db.query(
        `INSERT INTO readings (device_id, ts, received_at, battery, rssi, m1, m2)
         SELECT $1, t, t, 50 + (n % 40), -60 - (n % 25), n % 3, 12 + (n % 7) * 0.5
         FROM generate_series(0, 3 * 1440 - 1) AS n, LATERAL (SELECT $2::timestamptz + n * interval '1 minute' AS t) x`,
        [device.id, new Date(day0)],
      )
      await refreshAggregate(db, 'readings_hourly')
      await refreshAggregate(db, 'readings_daily')
      const dev = { id: device.id, type: 'fall-sensor' }
      // ragged ends: from 00:30 on day 0 to 12:15 on day 2
      const from = new Date(day0 + 30 * 60_000)
      const to = new Date(day0 + 2 * 86_400_000 + 12 * 3_600_000 + 15 * 60_000)
      const api = async (bucket: string) => {
        const q = new URLSearchParams({ from: from.toISOString(), to: to.toISOString(), bucket })
        const res = await h.api('GET', `/api/v1/devices/${device.id}/readings?${q}`, undefined, h.token)
        t.equal(res.status, 200)
        return res.body.items
      }
      const seconds = { '1h': 3600, '6h': 6 * 3600, '1d': 86_400 }
      const raw: Record<string, unknown> = {}
      for (const [bucket, s] of Object.entries(seconds)) {
        raw[bucket] = await bucketedReadings(db, dev, from, to, s, 1000, { aggregates: false })
        t.same(await api(bucket), raw[bucket], `${bucket}: the aggregate's answer is the raw table's`)
      }
      t.equal((raw['1h'] as unknown[]).length, 2 * 24 + 13, 'hours 00:30 on day 0 to 12:15 on day 2')
      t.match((raw['1h'] as { count: number }[])[0], { count: 30 }, 'the first hour only from 00:30')

      // remove day 1's raw rows: its whole hours still answer from the materialised aggregate, which is
      // how we know the aggregate is read (it is refreshed again only by its policy)
      await db.query(`DELETE FROM readings WHERE device_id = $1 AND ts >= $2 AND ts < $3`, [
        device.id,
        new Date(day0 + 86_400_000),
        new Date(day0 + 2 * 86_400_000),
      ])
      t.same(await api('1h'), raw['1h'], 'hourly buckets come from readings_hourly')
      t.same(await api('1d'), raw['1d'], 'daily buckets come from readings_daily')
      const rawNow = await bucketedReadings(db, dev, from, to, 3600, 1000, { aggregates: false })
      t.equal(rawNow.length, 24 + 13, 'while the raw table has lost day 1')
    })
  })
}
