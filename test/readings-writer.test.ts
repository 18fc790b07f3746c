import t from 'tap'
import { fallSensor } from '../devices/fall-sensor.js'
import { GroupCommitter } from '../src/ingest/group-commit.js'
import { type StateItem, TELEMETRY_BATCHING, telemetryWriter } from '../src/ingest/telemetry-writer.js'
import { createMetrics } from '../src/metrics.js'
import { insertDevices, migratedDb } from './fixtures/migrated-db.js'

// The telemetry writer, driven directly (no broker): what it is given is what the readings table holds, row
// for row, with the device rows kept current beside it.

const TOTAL = 1_000_000
const DEVICES = 100
const CHUNK = 20_000
const T0 = Date.parse('2026-11-01T00:00:00Z')

// a million rows on a machine shared with other work: more than the 180 s default when it is busy
t.setTimeout(600_000)

t.test('one million readings written through the writer are all there, exactly', async (t) => {
  const { db } = await migratedDb(t)
  const ids = await insertDevices(db, DEVICES)
  const metrics = createMetrics()
  const writer = new GroupCommitter<StateItem>(telemetryWriter(db, metrics), TELEMETRY_BATCHING)
  const receivedAt = new Date()
  const item = (i: number): StateItem => ({
    kind: 'reading',
    deviceId: ids[i % DEVICES]!,
    // one reading per device per second: reading i of device d is second floor(i / DEVICES)
    reading: {
      ts: new Date(T0 + Math.floor(i / DEVICES) * 1000),
      battery: i % 101,
      rssi: -(i % 90),
      values: { occupancy: i % 3, respiration: 12 + (i % 7) },
    },
    metrics: fallSensor.metrics!,
    receivedAt,
  })
  const started = performance.now()
  // two chunks in flight: the writer always has the next batch waiting while one commits
  let previous: Promise<unknown> = Promise.resolve()
  for (let from = 0; from < TOTAL; from += CHUNK) {
    const chunk = Promise.all(Array.from({ length: CHUNK }, (_, k) => writer.submit(item(from + k))))
    await previous
    previous = chunk
  }
  await previous
  const seconds = (performance.now() - started) / 1000
  t.comment(`${TOTAL} readings in ${seconds.toFixed(1)} s: ${Math.round(TOTAL / seconds)} rows/s`)

  const { rows } = await db.query(
    `SELECT count(*)::int AS n, count(DISTINCT device_id)::int AS devices, sum(battery::float8) AS battery,
       sum(m1)::float8 AS occupancy, sum(m2)::float8 AS respiration, count(*) FILTER (WHERE data <> '{}')::int AS extra
     FROM readings`,
  )
  let battery = 0
  let occupancy = 0
  let respiration = 0
  for (let i = 0; i < TOTAL; i++) {
    battery += i % 101
    occupancy += i % 3
    respiration += 12 + (i % 7)
  }
  t.same(
    rows[0],
    { n: TOTAL, devices: DEVICES, battery, occupancy, respiration, extra: 0 },
    'every row, every value',
  )
  const written = (await metrics.readingsWritten.get()).values[0]?.value
  t.equal(written, TOTAL, 'hub_readings_written_total counts them')
  const seen = await db.query(`SELECT count(*)::int AS n FROM devices WHERE last_seen = $1`, [receivedAt])
  t.equal(seen.rows[0].n, DEVICES, 'each device row carries its last-seen time')
  await writer.drain()
})

t.test(
  'declared metrics go to typed columns, other numbers to data; status and rejects beside them',
  async (t) => {
    const { db } = await migratedDb(t)
    const [id] = await insertDevices(db, 1)
    const writer = new GroupCommitter<StateItem>(telemetryWriter(db, createMetrics()), TELEMETRY_BATCHING)
    const at = new Date('2026-11-02T08:00:00Z')
    await Promise.all([
      writer.submit({
        kind: 'reading',
        deviceId: id!,
        reading: { ts: at, battery: 55, values: { occupancy: 2, respiration: 14.5, 'odd\\key\t"x"': 3 } },
        metrics: ['occupancy'],
        receivedAt: at,
      }),
      writer.submit({ kind: 'status', deviceId: id!, status: 'online', receivedAt: at }),
      writer.submit({
        kind: 'reject',
        deviceId: id!,
        receivedAt: at,
        topic: 'x',
        reason: 'schema',
        detail: 'bad',
        raw: Buffer.from('{'),
        keep: true,
      }),
    ])
    const { rows } = await db.query('SELECT battery, rssi, m1, m2, m3, m4, data FROM readings')
    t.same(rows, [
      {
        battery: 55,
        rssi: null,
        m1: 2,
        m2: null,
        m3: null,
        m4: null,
        data: { respiration: 14.5, 'odd\\key\t"x"': 3 },
      },
    ])
    const dev = await db.query(
      'SELECT status, battery, rejected_count, last_seen FROM devices WHERE id = $1',
      [id],
    )
    t.same(
      dev.rows[0],
      { status: 'online', battery: 55, rejected_count: 1, last_seen: at },
      'the device row follows',
    )
    await writer.drain()
  },
)

t.test(
  'a chatty device: its row is written once a second, readings every time, a flush writes the rest',
  async (t) => {
    const { db } = await migratedDb(t)
    const [id] = await insertDevices(db, 1)
    let held = 0
    const writer = new GroupCommitter<StateItem>(
      telemetryWriter(db, createMetrics(), { deviceRowEveryMs: 60_000, onHeld: () => held++ }),
      TELEMETRY_BATCHING,
    )
    const t0 = Date.parse('2026-12-02T08:00:00Z')
    const reading = (n: number, battery: number): StateItem => ({
      kind: 'reading',
      deviceId: id!,
      reading: { ts: new Date(t0 + n * 1000), battery, rssi: -50 - n, values: {} },
      metrics: [],
      receivedAt: new Date(t0 + n * 1000),
    })
    const row = async () =>
      (await db.query('SELECT last_seen, battery, rssi FROM devices WHERE id = $1', [id])).rows[0]
    await writer.submit(reading(0, 90))
    t.same(
      await row(),
      { last_seen: new Date(t0), battery: 90, rssi: -50 },
      'the first reading writes the row',
    )
    for (let n = 1; n <= 5; n++) await writer.submit(reading(n, 90))
    t.same(await row(), { last_seen: new Date(t0), battery: 90, rssi: -50 }, 'later ones are held')
    t.ok(held > 0, 'the writer asked for a flush')
    const count = await db.query('SELECT count(*)::int AS n FROM readings WHERE device_id = $1', [id])
    t.equal(count.rows[0].n, 6, 'every reading is stored all the same')
    await writer.submit(reading(6, 85))
    t.same(
      await row(),
      { last_seen: new Date(t0 + 6000), battery: 85, rssi: -56 },
      'a battery change: at once',
    )
    await writer.submit(reading(7, 85))
    await writer.submit({ kind: 'flush' })
    t.same(
      await row(),
      { last_seen: new Date(t0 + 7000), battery: 85, rssi: -57 },
      'the flush writes what was held',
    )
    await writer.drain()
  },
)
