import t from 'tap'
import { deviceTopic } from '../src/contract/topics.js'
import { dbClient } from './fixtures/db.js'
import { startTestHub } from './fixtures/hub.js'
import { connectClient } from './fixtures/mqtt.js'

// Back-pressure (README "Readings at scale"): while the database cannot take readings (a test holds a lock on
// the table for 10 s), PUBACKs wait, what the hub holds stays within the admission budget, and every reading
// acknowledged is in the table at every moment; once the lock goes, everything sent is stored, exactly once.

const BUDGET = 100
const DEVICES = 10
const WINDOW = 20 // QoS 1 readings in flight per device (what a device's client allows)
const MAX_SENT = 20_000
const LOCK_MS = 10_000

t.test('a locked readings table holds PUBACKs back within the budget and loses nothing', async (t) => {
  const h = await startTestHub(t, { HUB_TELEMETRY_BUDGET: String(BUDGET), HUB_MQTT_MESSAGE_RATE: '100000' })
  const db = await dbClient(t, h.hub.databaseUrl)
  const locker = await dbClient(t, h.hub.databaseUrl)
  const base = Date.now() - 3_600_000
  let sent = 0
  let stop = false
  const acked = new Map<string, Set<number>>()
  const senders: Promise<void>[] = []
  for (let d = 0; d < DEVICES; d++) {
    const { device } = await h.provision('fall-sensor')
    const c = await connectClient(t, h.mqttUrl, {
      username: device.id,
      password: device.secret,
      clientId: `bp-${device.id}`,
    })
    const mine = new Set<number>()
    acked.set(device.id, mine)
    for (let w = 0; w < WINDOW; w++) {
      senders.push(
        (async () => {
          while (!stop && sent < MAX_SENT) {
            const ts = base + sent++ // unique device time per reading: each is one row
            await c.client.publishAsync(
              deviceTopic(device.id, 'telemetry'),
              JSON.stringify({ ts, battery: 50 }),
              { qos: 1 },
            )
            mine.add(ts)
          }
        })(),
      )
    }
  }
  const ackedCount = () => [...acked.values()].reduce((n, s) => n + s.size, 0)
  const stored = async () => (await db.query('SELECT count(*)::int AS n FROM readings')).rows[0].n as number
  const metrics = async () => {
    const text = await (await fetch(`${h.base}/metrics`)).text()
    const depth = (q: string) =>
      Number(text.match(new RegExp(`hub_ingest_queue_depth\\{queue="${q}"\\} (\\d+)`))?.[1])
    return {
      admitted: depth('telemetry-admitted'),
      queued: depth('telemetry'),
      waiting: depth('telemetry-waiting'),
    }
  }
  while (ackedCount() < 500 && sent < MAX_SENT) await new Promise((r) => setTimeout(r, 50))

  // EXCLUSIVE blocks every write to readings but lets this test count the rows meanwhile
  await locker.query('BEGIN')
  await locker.query('LOCK TABLE readings IN EXCLUSIVE MODE')
  const lockedAt = Date.now()
  const heapBefore = process.memoryUsage().heapUsed
  let maxAdmitted = 0
  let maxQueued = 0
  let maxWaiting = 0
  let lostAtSomePoint = 0
  while (Date.now() - lockedAt < LOCK_MS) {
    const ackedBefore = ackedCount()
    const rows = await stored()
    if (rows < ackedBefore) lostAtSomePoint++
    const m = await metrics()
    maxAdmitted = Math.max(maxAdmitted, m.admitted)
    maxQueued = Math.max(maxQueued, m.queued)
    maxWaiting = Math.max(maxWaiting, m.waiting)
    await new Promise((r) => setTimeout(r, 250))
  }
  const heapGrowth = process.memoryUsage().heapUsed - heapBefore
  const ackedWhileLocked = ackedCount()
  const rowsWhileLocked = await stored()
  stop = true
  await locker.query('COMMIT')
  await Promise.all(senders)

  t.comment(
    `sent ${sent}; under the lock: ${rowsWhileLocked} rows, ${ackedWhileLocked} acknowledged, at most ${maxAdmitted} admitted, ${maxQueued} queued, ${maxWaiting} waiting; heap ${(heapGrowth / 1e6).toFixed(1)} MB`,
  )
  t.equal(lostAtSomePoint, 0, 'at every moment of the lock, every acknowledged reading was in the table')
  t.ok(rowsWhileLocked >= ackedWhileLocked, 'no PUBACK for a reading not yet stored')
  t.ok(maxAdmitted <= BUDGET, `admitted readings stayed within the budget (${maxAdmitted} ≤ ${BUDGET})`)
  t.ok(maxQueued <= BUDGET, 'so did the telemetry writer queue')
  t.ok(maxWaiting > 0, 'readings waited for admission: back-pressure reached the devices')
  t.ok(maxWaiting <= DEVICES * WINDOW, 'and no more than the devices had in flight')
  t.equal(ackedCount(), sent, 'after the lock, every reading sent was acknowledged')
  t.equal(await stored(), sent, 'and stored, each once')
  for (const [id, ts] of acked) {
    const { rows } = await db.query(
      'SELECT count(*)::int AS n FROM readings WHERE device_id = $1 AND ts = ANY($2::timestamptz[])',
      [id, [...ts].map((v) => new Date(v))],
    )
    t.equal(rows[0].n, ts.size, `${id}: every acknowledged reading is there`)
  }
})
