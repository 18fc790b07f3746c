import t from 'tap'
import { dbClient } from './fixtures/db.js'
import { startTestHub, type TestHub } from './fixtures/hub.js'
import { addUser } from './fixtures/people.js'

// Service statistics over real alerts: raised by devices over MQTT, acknowledged and resolved over the API,
// then moved to known instants in the past (the only way to have a 200 s answer without waiting 200 s), so
// every count, percentile and share below is exact.

const T0 = Date.parse('2026-11-01T00:00:00Z')
const at = (minutes: number, seconds = 0) => new Date(T0 + minutes * 60_000 + seconds * 1000)
const iso = (d: Date) => d.toISOString()
const RANGE = `from=${iso(at(0))}&to=${iso(at(2 * 24 * 60))}`

/** Raises an alert from the device, handles it as told, and returns its id. */
async function alertFrom(
  h: TestHub,
  device: Awaited<ReturnType<TestHub['connectDevice']>>,
  type: string,
  handle: { ack?: boolean; outcome?: string },
) {
  const feed = await h.live()
  await device.event(type)
  const opened = await feed.waitFor((m) => m.kind === 'alert.opened')
  feed.ws.terminate()
  const id: string = opened.data.id
  if (handle.ack) await h.api('POST', `/api/v1/alerts/${id}/ack`, {}, h.token)
  if (handle.outcome)
    await h.api('POST', `/api/v1/alerts/${id}/resolve`, { outcome: handle.outcome }, h.token)
  return id
}

t.test('service statistics', async (t) => {
  const h = await startTestHub(t)
  const db = await dbClient(t, h.hub.databaseUrl)
  const home = await h.provision('call-button')
  const other = await h.provision('fall-sensor')
  const button = await h.connectDevice(home.device)
  const fall = await h.connectDevice(other.device)

  const a1 = await alertFrom(h, button, 'sos', { ack: true, outcome: 'resident fine' })
  const a2 = await alertFrom(h, button, 'sos', { outcome: 'False-Alarm ' })
  const a3 = await alertFrom(h, button, 'sos', {})
  const a4 = await alertFrom(h, fall, 'fall', { ack: true, outcome: '误报' })
  // answered after 30 s, 120 s (resolved without an ack), never, 200 s; resolved after 600 s, 120 s, —, 1000 s
  const timing: [string, Date, number | null, number | null][] = [
    [a1, at(70), 30, 600],
    [a2, at(80), null, 120],
    [a3, at(300), null, null],
    [a4, at(25 * 60), 200, 1000],
  ]
  for (const [id, opened, ack, resolve] of timing) {
    const plus = (s: number | null) => (s === null ? null : new Date(opened.getTime() + s * 1000))
    await db.query(
      `UPDATE alerts SET opened_at = $2, acknowledged_at = CASE WHEN acknowledged_at IS NULL THEN NULL ELSE $3::timestamptz END,
         resolved_at = CASE WHEN resolved_at IS NULL THEN NULL ELSE $4::timestamptz END WHERE id = $1`,
      [id, opened, plus(ack), plus(resolve)],
    )
  }
  const { token: staffToken } = await addUser(h, 'staff', { siteIds: [home.site.id] })
  const get = (path: string, token = h.token) => h.api('GET', `/api/v1/stats/${path}`, undefined, token)

  await t.test('alert counts per bucket, site and type', async (t) => {
    const hours = await get(`alerts?${RANGE}&bucket=hour`)
    t.equal(hours.status, 200)
    t.equal(hours.body.total, 4)
    t.same(hours.body.items, [
      { bucket: iso(at(60)), siteId: home.site.id, type: 'sos', count: 2 },
      { bucket: iso(at(300)), siteId: home.site.id, type: 'sos', count: 1 },
      { bucket: iso(at(25 * 60)), siteId: other.site.id, type: 'fall', count: 1 },
    ])
    // days as they fall in Shanghai (UTC+8): 09:10, 09:20 and 13:00 on 1 Nov, 09:00 on 2 Nov
    const days = await get(`alerts?${RANGE}&bucket=day&timeZone=Asia/Shanghai`)
    t.same(days.body.items, [
      { bucket: '2026-10-31T16:00:00.000Z', siteId: home.site.id, type: 'sos', count: 3 },
      { bucket: '2026-11-01T16:00:00.000Z', siteId: other.site.id, type: 'fall', count: 1 },
    ])
    const one = await get(`alerts?${RANGE}&siteId=${other.site.id}`)
    t.same(
      one.body.items.map((i: { type: string }) => i.type),
      ['fall'],
      'one site',
    )
    const mine = await get(`alerts?${RANGE}`, staffToken)
    t.equal(mine.body.total, 3, "staff count their own site's alerts only")
    t.equal((await get(`alerts?${RANGE}&siteId=${other.site.id}`, staffToken)).status, 404)

    const tooMany = await get('alerts?from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z&bucket=hour')
    t.equal(tooMany.status, 400, 'more than 1000 buckets')
    t.equal(tooMany.body.details[0].field, 'querystring.bucket')
    t.equal((await get(`alerts?${RANGE}&timeZone=Mars/Base`)).body.details[0].field, 'querystring.timeZone')
    const backwards = await get(`alerts?from=${iso(at(10))}&to=${iso(at(0))}`)
    t.equal(backwards.body.details[0].field, 'querystring.from')
    t.equal((await h.api('GET', '/api/v1/stats/alerts')).status, 401)
  })

  await t.test('response times against the telecare targets', async (t) => {
    const res = await get(`response?${RANGE}`)
    t.equal(res.status, 200)
    t.match(res.body, {
      maxPriority: 2,
      alerts: 4,
      acknowledged: 3,
      resolved: 3,
      // percentile_cont over [30, 120, 200] and [120, 600, 1000]
      timeToAcknowledge: { p50: 120, p90: 184 },
      timeToResolve: { p50: 600, p90: 920 },
      within60s: { count: 1, share: 0.25, target: 0.975, met: false },
      within180s: { count: 2, share: 0.5, target: 0.99, met: false },
    })
    const staffView = await get(`response?${RANGE}`, staffToken)
    t.match(staffView.body, { alerts: 3, acknowledged: 2, timeToAcknowledge: { p50: 75 } })
    const empty = await get(`response?from=${iso(at(-60))}&to=${iso(at(0))}`)
    t.match(empty.body, {
      alerts: 0,
      timeToAcknowledge: { p50: null, p90: null },
      within60s: { share: null, met: null },
    })
  })

  await t.test('false alarms by device type, from resolve outcomes', async (t) => {
    const res = await get(`false-alarms?${RANGE}`)
    t.equal(res.status, 200)
    t.same(res.body.items, [
      { deviceType: 'call-button', resolved: 2, falseAlarms: 1, rate: 0.5 },
      { deviceType: 'fall-sensor', resolved: 1, falseAlarms: 1, rate: 1 },
    ])
    t.match(res.body.total, { resolved: 3, falseAlarms: 2 })
    const staffView = await get(`false-alarms?${RANGE}`, staffToken)
    t.same(
      staffView.body.items.map((i: { deviceType: string }) => i.deviceType),
      ['call-button'],
    )
  })

  await t.test('each as CSV', async (t) => {
    const csv = async (path: string) => {
      const res = await fetch(`${h.base}/api/v1/stats/${path}&format=csv`, {
        headers: { authorization: `Bearer ${h.token}` },
      })
      t.match(res.headers.get('content-type'), /^text\/csv/)
      t.match(res.headers.get('content-disposition'), /^attachment; filename=".+\.csv"$/)
      const bytes = Buffer.from(await res.arrayBuffer())
      t.same([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'with a byte-order mark')
      return bytes.subarray(3).toString('utf8').trim().split('\r\n')
    }
    t.same(await csv(`alerts?${RANGE}&bucket=day`), [
      'bucket,siteId,type,count',
      `${iso(at(0))},${home.site.id},sos,3`,
      `${iso(at(24 * 60))},${other.site.id},fall,1`,
    ])
    const [header, row] = await csv(`response?${RANGE}`)
    const record = Object.fromEntries(header!.split(',').map((k, i) => [k, row!.split(',')[i]]))
    t.match(record, {
      alerts: '4',
      ackP50Seconds: '120',
      ackP90Seconds: '184',
      within60sShare: '0.25',
      within60sTarget: '0.975',
      within180sMet: 'false',
    })
    t.same(await csv(`false-alarms?${RANGE}`), [
      'deviceType,resolved,falseAlarms,rate',
      'call-button,2,1,0.5',
      'fall-sensor,1,1,1',
    ])
  })
})
