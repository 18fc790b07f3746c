import { pino } from 'pino'
import t from 'tap'
import { ReadingsPruner } from '../src/ingest/readings-pruner.js'
import { insertDevices, migratedDb } from './fixtures/migrated-db.js'

// Retention on plain PostgreSQL: readings older than HUB_READINGS_RETENTION go, in chunks; newer ones stay.

t.test('readings past the retention are deleted, the rest kept', async (t) => {
  const { db } = await migratedDb(t)
  const [id] = await insertDevices(db, 1)
  const now = new Date('2026-12-01T00:00:00Z')
  const day = 86_400_000
  // one reading an hour for 30 days before `now`: 720 rows, 240 of them older than 20 days
  await db.query(
    `INSERT INTO readings (device_id, ts, received_at, battery)
     SELECT $1, t, t, 50 FROM generate_series($2::timestamptz - interval '30 days', $2::timestamptz - interval '1 hour', interval '1 hour') AS t`,
    [id, now],
  )
  const pruner = new ReadingsPruner({ db, log: pino({ level: 'silent' }), retentionMs: 20 * day })
  t.equal(await pruner.prune(now), 240, 'the ten oldest days are deleted')
  const { rows } = await db.query('SELECT count(*)::int AS n, min(ts) AS oldest FROM readings')
  t.same(
    rows[0],
    { n: 480, oldest: new Date(now.getTime() - 20 * day) },
    'from 20 days back on, everything stays',
  )
  t.equal(await pruner.prune(now), 0, 'a second pass finds nothing')
})
