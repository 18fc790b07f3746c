import t from 'tap'
import { deviceTopic } from '../src/contract/topics.js'
import { dbClient } from './fixtures/db.js'
import { startTestHub } from './fixtures/hub.js'
import { connectClient, pollUntil } from './fixtures/mqtt.js'

// Telemetry to time series (CONTRACT.md, "Back-pressure" and "Time series"): what a device reports at QoS 1 is
// stored before its PUBACK, and GET /api/v1/devices/{id}/readings answers it raw or averaged per bucket.

interface Device {
  id: string
  secret: string
}

const MINUTE = 60_000
const HOUR = 60 * MINUTE

t.test('telemetry to time series', async (t) => {
  const h = await startTestHub(t)
  const db = await dbClient(t, h.hub.databaseUrl)

  async function telemetryDevice(t: Parameters<typeof connectClient>[0], type = 'fall-sensor') {
    const { device } = (await h.provision(type)) as { device: Device }
    const c = await connectClient(t, h.mqttUrl, {
      username: device.id,
      password: device.secret,
      clientId: `t-${device.id}`,
    })
    const send = (reading: Record<string, unknown>) =>
      c.client.publishAsync(deviceTopic(device.id, 'telemetry'), JSON.stringify(reading), { qos: 1 })
    return { device, client: c, send }
  }

  const readings = (id: string, query: Record<string, string>) =>
    h.api('GET', `/api/v1/devices/${id}/readings?${new URLSearchParams(query)}`, undefined, h.token)

  await t.test('QoS 1 telemetry is stored before its PUBACK, with the device time', async (t) => {
    const { device, send } = await telemetryDevice(t)
    // device time well before the hub's: the series is keyed by when the device measured
    const base = Date.now() - 10 * MINUTE
    const window = { from: new Date(base - MINUTE).toISOString(), to: new Date(base + MINUTE).toISOString() }
    const expected: Record<string, unknown>[] = []
    for (let i = 0; i < 5; i++) {
      const ts = new Date(base + i * 1_000).toISOString()
      await send({ ts, battery: 90 - i, rssi: -60 - i, occupancy: i % 3, respiration: 15.5 + i })
      expected.push({ ts, battery: 90 - i, rssi: -60 - i, occupancy: i % 3, respiration: 15.5 + i })
      // read right after the PUBACK, no waiting: an acknowledged reading is already committed
      const res = await readings(device.id, window)
      t.equal(res.status, 200)
      t.same(res.body.items, expected, `after PUBACK ${i + 1} the readings hold all ${i + 1}`)
    }

    // epoch milliseconds are device time too
    const epoch = base + 30_000
    await send({ ts: epoch, battery: 70 })
    const res = await readings(device.id, window)
    t.same(res.body.items.at(-1), { ts: new Date(epoch).toISOString(), battery: 70 }, 'ts given as epoch ms')
    const outside = await readings(device.id, {
      from: new Date(base + MINUTE).toISOString(),
      to: new Date(base + 2 * MINUTE).toISOString(),
    })
    t.same(outside.body.items, [], 'from/to select by device time')
  })

  await t.test('with a bucket, readings are averaged per bucket with their count', async (t) => {
    const { device, send } = await telemetryDevice(t)
    // the 10th minute of an hour three hours ago, and the minute after it
    const m0 = Math.floor((Date.now() - 3 * HOUR) / HOUR) * HOUR + 10 * MINUTE
    const m1 = m0 + MINUTE
    const sent = [
      // out of order on purpose: the series is ordered by device time, not arrival
      { ts: m1 + 40_000, battery: 61, rssi: -55, occupancy: 1 },
      { ts: m0 + 5_000, battery: 80, rssi: -70, occupancy: 1 },
      { ts: m1 + 10_000, battery: 60, rssi: -50, occupancy: 0 },
      { ts: m0 + 50_000, battery: 84, rssi: -74, occupancy: 3 },
      { ts: m0 + 20_000, battery: 82, rssi: -72, occupancy: 2 },
    ]
    for (const r of sent) await send(r)
    const window = { from: new Date(m0 - MINUTE).toISOString(), to: new Date(m1 + 2 * MINUTE).toISOString() }

    const raw = await readings(device.id, window)
    t.equal(raw.status, 200)
    t.same(
      raw.body.items,
      [...sent].sort((a, b) => a.ts - b.ts).map((r) => ({ ...r, ts: new Date(r.ts).toISOString() })),
      'without a bucket: every reading, oldest first',
    )

    const perMinute = await readings(device.id, { ...window, bucket: '1m' })
    t.equal(perMinute.status, 200)
    t.same(perMinute.body.items, [
      { ts: new Date(m0).toISOString(), count: 3, battery: 82, rssi: -72, occupancy: 2 },
      { ts: new Date(m1).toISOString(), count: 2, battery: 60.5, rssi: -52.5, occupancy: 0.5 },
    ])

    const perHour = await readings(device.id, { ...window, bucket: '1h' })
    t.equal(perHour.status, 200)
    t.same(perHour.body.items, [
      { ts: new Date(m0 - 10 * MINUTE).toISOString(), count: 5, battery: 73.4, rssi: -64.2, occupancy: 1.4 },
    ])
  })

  await t.test('telemetry that fails the schema is acknowledged, rejected and not stored', async (t) => {
    const { device, send } = await telemetryDevice(t)
    const base = Date.now() - 5 * MINUTE
    const window = { from: new Date(base - MINUTE).toISOString(), to: new Date(base + MINUTE).toISOString() }
    await send({ ts: base, battery: 150, rssi: -60 }) // PUBACK: the device must not retry it forever
    await send({ ts: base + 1_000, battery: 50, rssi: -61 })

    const res = await readings(device.id, window)
    t.same(
      res.body.items,
      [{ ts: new Date(base + 1_000).toISOString(), battery: 50, rssi: -61 }],
      'only the valid reading is stored',
    )
    const { rows } = await db.query<{ topic: string; reason: string; detail: string }>(
      'SELECT topic, reason, detail FROM rejected_messages WHERE device_id = $1',
      [device.id],
    )
    t.equal(rows.length, 1, 'the bad reading is kept for inspection')
    t.equal(rows[0]?.reason, 'schema')
    t.equal(rows[0]?.topic, deviceTopic(device.id, 'telemetry'))
    t.match(rows[0]?.detail, /battery/)
    const d = await pollUntil(
      async () => (await h.api('GET', `/api/v1/devices/${device.id}`, undefined, h.token)).body,
      (d) => d.rejectedCount >= 1,
    )
    t.equal(d.rejectedCount, 1, 'counted for the device')
    t.equal(d.battery, 50, 'the rejected battery never reached the device state')
  })

  await t.test('bad query parameters answer 400; an unknown device 404', async (t) => {
    const { device } = await telemetryDevice(t)
    const cases: [Record<string, string>, string][] = [
      [{ bucket: 'abc' }, 'bucket'],
      [{ bucket: '1w' }, 'bucket'],
      [{ from: 'yesterday' }, 'from'],
      [{ to: '2026-13-45' }, 'to'],
      [{ limit: '0' }, 'limit'],
    ]
    for (const [query, field] of cases) {
      const res = await readings(device.id, query)
      const what = new URLSearchParams(query).toString()
      t.equal(res.status, 400, `${what}: 400`)
      t.equal(res.body.error, 'HUB_ERR_VALIDATION', `${what}: HUB_ERR_VALIDATION`)
      t.type(res.body.message, 'string')
      t.ok(res.body.message.length > 0, `${what}: a message`)
      t.ok(Array.isArray(res.body.details) && res.body.details.length > 0, `${what}: details`)
      const detail = res.body.details?.find((d: { field: string }) => d.field.split('.').at(-1) === field)
      t.ok(detail, `${what}: details name the field ${field}`)
      t.type(detail?.message, 'string')
    }

    const unknown = await readings('dev_doesnotexist', {})
    t.equal(unknown.status, 404)
    t.equal(unknown.body.error, 'HUB_ERR_NOT_FOUND')
    t.type(unknown.body.message, 'string')

    const ok = await readings(device.id, {})
    t.equal(ok.status, 200, 'the same route answers a good query')
    t.same(ok.body.items, [])

    const anonymous = await h.api('GET', `/api/v1/devices/${device.id}/readings`)
    t.equal(anonymous.status, 401, 'readings need a token')
  })
})
