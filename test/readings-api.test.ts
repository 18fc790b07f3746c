import t from 'tap'
import { startTestHub } from './fixtures/hub.js'
import { addUser } from './fixtures/people.js'

// The latest reading per device, the fleet's latest readings and its health (README "Readings"): through the
// real path (MQTT → writer → table → API), on whichever database the hub runs (embedded or TimescaleDB).

const MINUTE = 60_000

t.test('latest readings and fleet health', async (t) => {
  const h = await startTestHub(t)
  const a = await h.provision('fall-sensor')
  const b = await h.provision('smoke-detector')
  const silent = await h.provision('call-button')
  const da = await h.connectDevice(a.device)
  const db = await h.connectDevice(b.device)
  await da.announce()
  const base = Date.now() - 10 * MINUTE
  // out of order: the latest is by device time, not by arrival
  await da.telemetry({
    ts: base + 2 * MINUTE,
    battery: 15,
    rssi: -95,
    occupancy: 1,
    respiration: 14,
  })
  await da.telemetry({ ts: base, battery: 16, rssi: -60, occupancy: 0 })
  await db.telemetry({
    ts: base,
    battery: 90,
    rssi: -95,
    obscuration: 0.5,
    temperature: 21.5,
  })
  const get = (path: string, token = h.token) => h.api('GET', `/api/v1${path}`, undefined, token)

  await t.test('GET /devices/{id}/readings/latest', async (t) => {
    const res = await get(`/devices/${a.device.id}/readings/latest`)
    t.equal(res.status, 200)
    t.same(res.body, {
      ts: new Date(base + 2 * MINUTE).toISOString(),
      battery: 15,
      rssi: -95,
      occupancy: 1,
      respiration: 14,
    })
    const none = await get(`/devices/${silent.device.id}/readings/latest`)
    t.equal(none.status, 404, 'a device that never reported has no latest reading')
    t.equal(none.body.error, 'HUB_ERR_NOT_FOUND')
    t.equal((await get('/devices/dev_nope/readings/latest')).status, 404)
  })

  await t.test('GET /readings/latest: one per device that reported, paged by device id', async (t) => {
    const all = await get('/readings/latest')
    t.equal(all.status, 200)
    t.same(
      all.body.items,
      [
        {
          deviceId: a.device.id,
          type: 'fall-sensor',
          reading: {
            ts: new Date(base + 2 * MINUTE).toISOString(),
            battery: 15,
            rssi: -95,
            occupancy: 1,
            respiration: 14,
          },
        },
        {
          deviceId: b.device.id,
          type: 'smoke-detector',
          reading: {
            ts: new Date(base).toISOString(),
            battery: 90,
            rssi: -95,
            obscuration: 0.5,
            temperature: 21.5,
          },
        },
      ].sort((x, y) => (x.deviceId < y.deviceId ? -1 : 1)),
    )
    const first = await get('/readings/latest?limit=1')
    t.equal(first.body.items.length, 1)
    const second = await get(`/readings/latest?limit=1&cursor=${first.body.nextCursor}`)
    t.equal(second.body.items.length, 1)
    t.not(second.body.items[0].deviceId, first.body.items[0].deviceId, 'the cursor pages on')
    const bySite = await get(`/readings/latest?siteId=${b.site.id}`)
    t.same(
      bySite.body.items.map((i: { deviceId: string }) => i.deviceId),
      [b.device.id],
      'filtered by site',
    )
    const byType = await get('/readings/latest?type=fall-sensor')
    t.same(
      byType.body.items.map((i: { deviceId: string }) => i.deviceId),
      [a.device.id],
      'filtered by type',
    )
    t.equal((await get('/readings/latest?type=toaster')).status, 400)
  })

  await t.test('GET /stats/device-health counts per type; staff see their sites only', async (t) => {
    const res = await get('/stats/device-health')
    t.equal(res.status, 200)
    const byType = Object.fromEntries(res.body.items.map((i: { type: string }) => [i.type, i]))
    // the device row follows arrival order: the fall sensor's last message said battery 16, rssi -60
    t.match(byType['fall-sensor'], {
      total: 1,
      online: 1,
      neverSeen: 0,
      lowBattery: 1,
      weakSignal: 0,
      batteryMin: 16,
    })
    t.match(byType['smoke-detector'], { total: 1, online: 0, lowBattery: 0, weakSignal: 1, batteryAvg: 90 })
    t.match(byType['call-button'], { total: 1, online: 0, neverSeen: 1, lowBattery: 0, batteryMin: null })
    const staff = await addUser(h, 'staff', { siteIds: [b.site.id] })
    const scoped = await get('/stats/device-health', staff.token)
    t.same(
      scoped.body.items.map((i: { type: string }) => i.type),
      ['smoke-detector'],
      'scoped to the staff site',
    )
    const latest = await get('/readings/latest', staff.token)
    t.same(
      latest.body.items.map((i: { deviceId: string }) => i.deviceId),
      [b.device.id],
    )
    t.equal((await get(`/devices/${a.device.id}/readings/latest`, staff.token)).status, 404)
  })

  await t.test(
    '/metrics: readings written, rejects by reason, queue depths, devices connected by type',
    async (t) => {
      await da.publish('telemetry', JSON.stringify({ ts: Date.now(), battery: 500 }))
      const res = await fetch(`${h.base}/metrics`)
      const text = await res.text()
      const value = (line: string) =>
        Number(
          text
            .split('\n')
            .find((l) => l.startsWith(`${line} `))
            ?.split(' ')[1],
        )
      t.equal(value('hub_readings_written_total'), 3, 'the three readings stored')
      t.equal(value('hub_ingest_rejected_total{reason="schema"}'), 1, 'the bad one rejected by reason')
      t.equal(value('hub_devices_connected{type="fall-sensor"}'), 1)
      t.equal(value('hub_devices_connected{type="smoke-detector"}'), 1)
      t.equal(value('hub_ingest_queue_depth{queue="telemetry-waiting"}'), 0, 'nothing is held')
      t.equal(value('hub_ingest_queue_depth{queue="events"}'), 0)
      t.ok(value('hub_store_commit_seconds_count{pipeline="telemetry"}') >= 1, 'batch latency observed')
    },
  )
})
