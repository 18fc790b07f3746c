// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
import { parse } from 'csv-parse/sync'
import t from 'tap'
import { startTestHub } from './fixtures/hub.js'
import { pollUntil } from './fixtures/mqtt.js'
import { addUser } from './fixtures/people.js'

// The detector view (state from open alerts and online/offline) and the fire-event log, as JSON pages and
// as a CSV file parsed back here.

t.test('fire-safety views', async (t) => {
  const h = await startTestHub(t)
  const { api, token } = h
  const site = await h.create('/api/v1/sites', { kind: 'institution', name: 'Sunny Home', address: '1 Road' })
  const smoke = (room: string) =>
    h.create('/api/v1/devices', {
      type: 'smoke-detector',
      siteId: site.id,
      location: { building: 'A', room },
    })
  const burning = await smoke('101')
  const broken = await smoke('102')
  const silent = await smoke('103')
  const quiet = await smoke('104')
  const button = await h.create('/api/v1/devices', { type: 'call-button', siteId: site.id })
  const detectors = `/api/v1/sites/${site.id}/detectors`

  const feed = await h.live()
  const d1 = await h.connectDevice(burning)
  await d1.telemetry({ battery: 88 })
  await d1.event('smoke', { state: 'alarm', obscuration: 14 })
  const d2 = await h.connectDevice(broken)
  await d2.event('fault')
  const d4 = await h.connectDevice(quiet)
  await d4.telemetry({ battery: 95 })
  await (await h.connectDevice(button)).event('sos')
  const smokeAlert = (await feed.waitFor((m) => m.kind === 'alert.opened' && m.data.type === 'smoke')).data
  await feed.waitFor((m) => m.kind === 'alert.opened' && m.data.type === 'fault')

  await t.test('each detector has its state', async (t) => {
    const res = await api('GET', detectors, undefined, token)
    t.equal(res.status, 200)
    const byId = new Map(res.body.items.map((d: any) => [d.id, d]))
    t.equal(byId.size, 4, 'smoke detectors only: the call button is not one')
    t.match(byId.get(burning.id), {
      state: 'alarm',
      online: true,
      battery: 88,
      location: { building: 'A', room: '101' },
      alerts: [{ id: smokeAlert.id, type: 'smoke', priority: 1, state: 'open' }],
    })
    t.ok((byId.get(burning.id) as any).lastSeen, 'last seen is set')
    t.equal((byId.get(broken.id) as any).state, 'fault')
    t.match(byId.get(silent.id), {
      state: 'offline',
      online: false,
      lastSeen: null,
      battery: null,
      alerts: [],
    })
    t.match(byId.get(quiet.id), { state: 'normal', online: true, battery: 95 })

    // acknowledged is still an alarm; resolved is over
    await api('POST', `/api/v1/alerts/${smokeAlert.id}/ack`, { note: 'going' }, token)
    const acked = await api('GET', detectors, undefined, token)
    t.equal(acked.body.items.find((d: any) => d.id === burning.id).state, 'alarm')
    // a device reported offline (its last will) is offline
    d4.dropLink()
    const dropped = await pollUntil(
      () => api('GET', detectors, undefined, token),
      (r) => r.body.items.find((d: any) => d.id === quiet.id).state === 'offline',
    )
    t.equal(dropped.body.items.find((d: any) => d.id === quiet.id).state, 'offline')

    const paged = await api('GET', `${detectors}?limit=3`, undefined, token)
    const rest = await api('GET', `${detectors}?limit=3&cursor=${paged.body.nextCursor}`, undefined, token)
    t.same(
      [...paged.body.items, ...rest.body.items].map((d: any) => d.id),
      [burning.id, broken.id, silent.id, quiet.id],
      'pages in creation order',
    )
  })

  // a note a spreadsheet must get back exactly, and one it would otherwise run as a formula
  const note = 'Wang said: "smoke, from 101"\nchecked'
  await api(
    'POST',
    `/api/v1/alerts/${smokeAlert.id}/resolve`,
    { outcome: 'false alarm', note: '=1+2' },
    token,
  )
  await d1.event('smoke', { state: 'clear' })
  const faultAlert = (await api('GET', `/api/v1/alerts?deviceId=${broken.id}`, undefined, token)).body
    .items[0]
  await api('POST', `/api/v1/alerts/${faultAlert.id}/ack`, { note }, token)

  await t.test('the fire-event log as JSON', async (t) => {
    const res = await api('GET', `/api/v1/sites/${site.id}/fire-events?limit=1000`, undefined, token)
    t.equal(res.status, 200)
    const items = res.body.items
    const at = items.map((e: any) => e.at)
    t.same(at, [...at].sort(), 'oldest first')
    t.match(
      items.find((e: any) => e.source === 'device' && e.kind === 'smoke' && e.state === 'alarm'),
      { deviceId: burning.id, deviceType: 'smoke-detector', location: { building: 'A', room: '101' } },
    )
    t.ok(
      items.find((e: any) => e.source === 'device' && e.kind === 'smoke' && e.state === 'clear'),
      'the clear',
    )
    const transitions = items.filter((e: any) => e.alertId === smokeAlert.id).map((e: any) => e.kind)
    t.same(
      ['opened', 'acknowledged', 'resolved'].filter((k) => transitions.includes(k)),
      ['opened', 'acknowledged', 'resolved'],
    )
    t.match(
      items.find((e: any) => e.alertId === smokeAlert.id && e.kind === 'acknowledged'),
      { source: 'alert', actor: 'admin', note: 'going', alertType: 'smoke', deviceId: burning.id },
    )
    t.notOk(
      items.some((e: any) => e.deviceId === button.id),
      'the call button and its SOS are not fire events',
    )
    // pages join up to the whole log
    const pages: any[] = []
    let cursor = ''
    for (let i = 0; i < 100; i++) {
      const p = await api('GET', `/api/v1/sites/${site.id}/fire-events?limit=2${cursor}`, undefined, token)
      pages.push(...p.body.items)
      if (!p.body.nextCursor) break
      cursor = `&cursor=${p.body.nextCursor}`
    }
    t.same(pages, items, 'paging with limit=2 gives the same log')
    const before = await api(
      'GET',
      `/api/v1/sites/${site.id}/fire-events?to=${encodeURIComponent(items[0].at)}`,
      undefined,
      token,
    )
    t.same(before.body.items, [], '`to` is exclusive: nothing before the first event')
    const bad = await api(
      'GET',
      `/api/v1/sites/${site.id}/fire-events?from=2030-01-01T00:00:00Z&to=2029-01-01T00:00:00Z`,
      undefined,
      token,
    )
    t.equal(bad.status, 400)
  })

  await t.test('the fire-event log as CSV', async (t) => {
    const res = await fetch(`${h.base}/api/v1/sites/${site.id}/fire-events.csv`, {
      headers: { authorization: `Bearer ${token}` },
    })
    t.equal(res.status, 200)
    t.match(res.headers.get('content-type'), /^text\/csv; charset=utf-8/)
    t.match(res.headers.get('content-disposition'), /attachment; filename="fire-events-site_/)
    const bytes = Buffer.from(await res.arrayBuffer())
    t.same([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a UTF-8 byte-order mark for spreadsheets')
    const rows: Record<string, string>[] = parse(bytes, { bom: true, columns: true })
    const json = await api('GET', `/api/v1/sites/${site.id}/fire-events?limit=1000`, undefined, token)
    t.equal(rows.length, json.body.items.length, 'one line per event')
    t.same(Object.keys(rows[0]!), [
      'at',
      'source',
      'kind',
      'state',
      'deviceId',
      'deviceType',
      'building',
      'floor',
      'zone',
      'room',
      'bed',
      'alertId',
      'alertType',
      'actor',
      'note',
    ])
    const ack = rows.find((r) => r.alertId === faultAlert.id && r.kind === 'acknowledged')!
    t.equal(ack.note, note, 'commas, quotes and a line break survive the round trip')
    t.match(ack, { building: 'A', room: '102', floor: '', deviceId: broken.id, actor: 'admin' })
    const resolved = rows.find((r) => r.alertId === smokeAlert.id && r.kind === 'resolved')!
    t.equal(resolved.note, "'=1+2", 'a formula is defused')
    t.same(
      rows.map((r) => r.at),
      json.body.items.map((e: any) => e.at),
      'the same events in the same order',
    )
  })

  await t.test('scope', async (t) => {
    const other = await h.create('/api/v1/sites', { kind: 'institution', name: 'Other', address: '2 Road' })
    const outsider = await addUser(h, 'staff', { siteIds: [other.id] })
    const insider = await addUser(h, 'staff', { siteIds: [site.id] })
    for (const path of [
      detectors,
      `/api/v1/sites/${site.id}/fire-events`,
      `/api/v1/sites/${site.id}/fire-events.csv`,
    ]) {
      t.equal((await api('GET', path, undefined, outsider.token)).status, 404, `${path}: another site`)
      t.equal((await api('GET', path, undefined, insider.token)).status, 200, `${path}: its own site`)
    }
    t.equal((await api('GET', detectors)).status, 401)
  })
})
