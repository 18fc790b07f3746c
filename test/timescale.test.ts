import t from 'tap'
import { dbClient } from './fixtures/db.js'
import { startTestHub } from './fixtures/hub.js'

// The same migrations serve both deployments: plain PostgreSQL (embedded) and TimescaleDB (CI's second tier,
// docker-compose). Readings become a compressed, retained hypertable exactly when the extension is there.
t.test('readings are a hypertable exactly where TimescaleDB is available', async (t) => {
  const h = await startTestHub(t)
  const db = await dbClient(t, h.hub.databaseUrl)
  const available = await db.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'`)
  const timescale = available.rowCount === 1
  t.comment(`database: ${timescale ? 'TimescaleDB' : 'plain PostgreSQL'}`)
  const installed = await db.query(`SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'`)
  t.equal(installed.rowCount === 1, timescale, 'the extension is created only where available')
  if (!timescale) return
  const hyper = await db.query(
    `SELECT compression_enabled FROM timescaledb_information.hypertables WHERE hypertable_name = 'readings'`,
  )
  t.same(hyper.rows, [{ compression_enabled: true }], 'readings is a compressed hypertable')
  const jobs = await db.query(
    `SELECT proc_name FROM timescaledb_information.jobs WHERE hypertable_name = 'readings' ORDER BY proc_name`,
  )
  t.same(
    jobs.rows.map((r) => r.proc_name),
    ['policy_compression', 'policy_retention'],
    'with compression and retention policies',
  )

  // a reading stored through the real path lands in a chunk
  const { device } = await h.provision('fall-sensor')
  const d = await h.connectDevice(device)
  await d.telemetry({ battery: 87 })
  const chunks = await db.query(`SELECT count(*)::int AS n FROM show_chunks('readings')`)
  t.ok(chunks.rows[0].n >= 1, 'the reading is in a chunk')
})
