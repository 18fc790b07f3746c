// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
import { createServer } from 'node:net'
import { Aedes } from 'aedes'
import mqtt from 'mqtt'
import pg from 'pg'
import t from 'tap'
import { until } from './fixtures/escalation.js'
import { startTestHub, type TestHub } from './fixtures/hub.js'
import { startWebhookReceiver } from './fixtures/receivers.js'

// Fire monitoring end to end: a real hub forwarding to a fake monitoring centre (a signed-webhook receiver that
// can be made to fail or go down) and to a real MQTT broker; short verification windows.

const CENTRE_SECRET = 'centre-shared-secret-1234'
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
/** What a centre got, without the link heartbeats it also gets. */
const signals = <R extends { body: unknown }>(requests: R[]) =>
  requests.filter((r) => (r.body as any).kind !== 'heartbeat')
const kinds = (requests: { body: unknown }[]) => signals(requests).map((r) => (r.body as any).kind)
/** Waits until the centre got `n` signals (heartbeats aside). */
async function signalsFrom(centre: { requests: { body: unknown }[] }, n: number, ms = 20_000) {
  const deadline = Date.now() + ms
  while (signals(centre.requests).length < n) {
    if (Date.now() > deadline) throw new Error(`expected ${n} signals, got ${kinds(centre.requests)}`)
    await sleep(50)
  }
  return signals(centre.requests)
}

async function institution(hub: TestHub, centreUrl: string | null, name = 'Sunshine care home') {
  const site = await hub.create('/api/v1/sites', {
    kind: 'institution',
    name,
    address: '8 Harmony Road, Hangzhou',
    lat: 30.27,
    lon: 120.15,
  })
  if (centreUrl) {
    await hub.create(`/api/v1/sites/${site.id}/monitoring-centres`, {
      name: 'City fire monitoring centre',
      url: centreUrl,
      secret: CENTRE_SECRET,
    })
  }
  const nurse = await hub.create('/api/v1/users', {
    username: `nurse-${site.id}`,
    password: 'nurse-password',
    role: 'staff',
    siteIds: [site.id],
    name: 'Nurse Chen',
    phone: '+8613900000002',
  })
  await hub.create(`/api/v1/sites/${site.id}/shifts`, {
    userId: nurse.id,
    from: new Date(Date.now() - 3_600_000).toISOString(),
    to: new Date(Date.now() + 3_600_000).toISOString(),
  })
  const detector = async (room: string, zone = 'Z1') => {
    const d = await hub.create('/api/v1/devices', {
      type: 'smoke-detector',
      siteId: site.id,
      location: { building: 'A', floor: '3', zone, room },
    })
    return hub.connectDevice(d)
  }
  return { site, detector }
}

const smoke = (d: Awaited<ReturnType<TestHub['connectDevice']>>) => d.event('smoke', { obscuration: 4.2 })

t.test('fire alarms, confirmations and false alarms reach the centre', async (t) => {
  const centre = await startWebhookReceiver(t, { secret: CENTRE_SECRET })
  const hub = await startTestHub(t, { HUB_FIRE_ACK_WINDOW: '1h', HUB_FIRE_INVESTIGATE_WINDOW: '1h' })
  const { site, detector } = await institution(hub, centre.url)

  await t.test('a smoke alarm reaches the centre with every field, signed', async (t) => {
    const d = await detector('301')
    await smoke(d)
    const [fire] = (await signalsFrom(centre, 1)) as typeof centre.requests
    const body = fire!.body as any
    t.equal(fire!.verified, true, 'signed with the centre secret')
    t.equal(fire!.headers['webhook-id'], body.messageId, 'webhook-id is the messageId')
    t.match(body, {
      kind: 'fire',
      site: {
        id: site.id,
        name: 'Sunshine care home',
        address: '8 Harmony Road, Hangzhou',
        lat: 30.27,
        lon: 120.15,
      },
      location: { building: 'A', floor: '3', zone: 'Z1', room: '301' },
      device: { id: d.id, type: 'smoke-detector' },
      onDuty: [{ name: 'Nurse Chen', phone: '+8613900000002' }],
    })
    t.match(body.alertId, /^alr_/)
    t.ok(Date.parse(body.deviceTime) && Date.parse(body.hubTime), 'device and hub times')
    const alert = (await hub.api('GET', `/api/v1/alerts/${body.alertId}`, undefined, hub.token)).body
    t.equal(alert.priority, 1, 'a P1 fire alert')
    // the receipt is recorded just after the centre answered: wait for its commit, not for a fixed time
    const centres = await until(
      hub,
      `/api/v1/sites/${site.id}/monitoring-centres`,
      (b: any) => b.items[0]?.linkState === 'up',
    )
    t.match(centres.items[0], { linkState: 'up', name: 'City fire monitoring centre' })
    t.ok(centres.items[0].lastReceiptAt)
    t.notOk('secret' in centres.items[0], 'the secret is never shown')

    // a second detector in the same zone confirms: one fire-confirmed for the zone, however many follow
    await smoke(await detector('302'))
    await until(hub, '/api/v1/alerts?type=smoke', () => kinds(centre.requests).includes('fire-confirmed'))
    await smoke(await detector('303'))
    await signalsFrom(centre, 4)
    await sleep(500)
    t.same(kinds(centre.requests).sort(), ['fire', 'fire', 'fire', 'fire-confirmed'])
    t.equal(
      kinds(centre.requests).filter((k) => k === 'fire-confirmed').length,
      1,
      'fire-confirmed once per zone',
    )
    t.equal(
      new Set(centre.requests.map((r) => r.headers['webhook-id'])).size,
      centre.requests.length,
      'no duplicates',
    )
  })

  await t.test(
    'staff confirm one alarm and mark another false, with a reason; both are forwarded',
    async (t) => {
      const before = signals(centre.requests).length
      const a = await detector('401', 'Z4')
      await smoke(a)
      const b = await detector('501', 'Z5')
      await smoke(b)
      await signalsFrom(centre, before + 2)
      const alertOf = async (deviceId: string) =>
        (await hub.api('GET', `/api/v1/alerts?deviceId=${deviceId}`, undefined, hub.token)).body.items[0]
      const confirmed = await hub.api(
        'POST',
        `/api/v1/alerts/${(await alertOf(a.id)).id}/confirm-fire`,
        { note: 'flames seen' },
        hub.token,
      )
      t.equal(confirmed.status, 200)
      const falseAlarm = await hub.api(
        'POST',
        `/api/v1/alerts/${(await alertOf(b.id)).id}/false-alarm`,
        { reason: 'steam from a kettle' },
        hub.token,
      )
      t.equal(falseAlarm.status, 200)
      t.ok(
        falseAlarm.body.history.some(
          (h: any) => h.kind === 'false-alarm' && h.note === 'steam from a kettle',
        ),
      )
      const all = await signalsFrom(centre, before + 4)
      const later = all.slice(before).map((r) => r.body as any)
      t.match(
        later.find((s) => s.kind === 'fire-confirmed'),
        { device: { id: a.id }, note: 'flames seen' },
      )
      t.match(
        later.find((s) => s.kind === 'false-alarm'),
        { device: { id: b.id }, note: 'steam from a kettle' },
      )
      const noFire = await hub.api(
        'POST',
        `/api/v1/alerts/${(await alertOf(b.id)).id}/false-alarm`,
        { reason: 'x' },
        hub.token,
      )
      t.equal(noFire.status, 200, 'marking again is harmless')
      const missing = await hub.api('POST', '/api/v1/alerts/alr_nope/confirm-fire', {}, hub.token)
      t.equal(missing.status, 404)
    },
  )
})

t.test('the verification window: unacknowledged alarms are forwarded as confirmed', async (t) => {
  const centre = await startWebhookReceiver(t, { secret: CENTRE_SECRET })
  const hub = await startTestHub(t, { HUB_FIRE_ACK_WINDOW: '1s', HUB_FIRE_INVESTIGATE_WINDOW: '3s' })
  const { detector } = await institution(hub, centre.url)
  const lonely = await detector('101', 'Z1')
  await smoke(lonely)
  const acked = await detector('201', 'Z2')
  await smoke(acked)
  const alerts = await until(hub, '/api/v1/alerts?type=smoke', (b: any) => b.items.length === 2)
  const ackedAlert = alerts.items.find((a: any) => a.deviceId === acked.id)
  t.equal((await hub.api('POST', `/api/v1/alerts/${ackedAlert.id}/ack`, {}, hub.token)).status, 200)

  const requests = await signalsFrom(centre, 4)
  const confirmedOf = (id: string) =>
    requests.find((r) => (r.body as any).kind === 'fire-confirmed' && (r.body as any).device.id === id)
  t.ok(confirmedOf(lonely.id), 'not acknowledged within 1 s: confirmed')
  t.ok(confirmedOf(acked.id), 'acknowledged but not investigated within 3 s: confirmed')
  const history = async (deviceId: string) =>
    (await hub.api('GET', `/api/v1/alerts?deviceId=${deviceId}`, undefined, hub.token)).body.items[0].history
  const lonelyMark = (await history(lonely.id)).find((h: any) => h.kind === 'fire-confirmed')
  const ackedMark = (await history(acked.id)).find((h: any) => h.kind === 'fire-confirmed')
  t.equal(lonelyMark.data.how, 'not acknowledged within the window')
  t.equal(ackedMark.data.how, 'not investigated within the window')
  const lonelyOpened = alerts.items.find((a: any) => a.deviceId === lonely.id).openedAt
  t.ok(Date.parse(lonelyMark.at) >= Date.parse(lonelyOpened) + 1000, 'not before the ack window ran out')
  t.ok(
    Date.parse(ackedMark.at) >= Date.parse(ackedAlert.openedAt) + 3000,
    'not before the investigation window',
  )
})

t.test('a centre that is down gets every signal once it is back, and the outage is an alert', async (t) => {
  const centre = await startWebhookReceiver(t, { secret: CENTRE_SECRET })
  const hub = await startTestHub(t, { HUB_FIRE_ACK_WINDOW: '1h', HUB_FIRE_INVESTIGATE_WINDOW: '1h' })
  const { site, detector } = await institution(hub, centre.url)
  await centre.down()
  const d = await detector('101')
  await smoke(d)
  // GB 26875's budget: a signal without receipt after 10 s raises a delivery-failure alert and marks the link
  const failure = await until(
    hub,
    '/api/v1/alerts?type=delivery-failure',
    (b: any) => b.items.length > 0,
    30_000,
  )
  t.match(failure.items[0], { priority: 3, siteId: site.id })
  const link = await until(hub, '/api/v1/alerts?type=centre-link-down', (b: any) => b.items.length > 0)
  t.equal(link.items[0].state, 'open')
  t.equal(centre.requests.length, 0)
  await centre.up()
  const [got] = await signalsFrom(centre, 1)
  t.equal((got!.body as any).kind, 'fire')
  await sleep(2_500) // a few retry intervals: nothing more comes
  t.same(kinds(centre.requests), ['fire'], 'delivered once: no duplicate at the centre')
  const restored = await until(
    hub,
    '/api/v1/alerts?type=centre-link-down',
    (b: any) => b.items[0].state === 'resolved',
  )
  t.equal(restored.items[0].outcome, 'restored')
})

t.test(
  'an MQTT centre gets the signal at QoS 1; a silent detector is link-loss, its return a restoral',
  async (t) => {
    const broker = await Aedes.createBroker()
    const server = createServer(broker.handle)
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    t.teardown(() => new Promise<void>((r) => broker.close(() => server.close(() => r()))))
    const port = (server.address() as { port: number }).port
    const centre = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 })
    t.teardown(() => centre.endAsync(true))
    const got: any[] = []
    centre.on('message', (_topic, payload) => got.push(JSON.parse(payload.toString())))
    await centre.subscribeAsync('fire/signals', { qos: 1 })

    const hub = await startTestHub(t, { HUB_SUPERVISION_INTERVAL: '1s' })
    const { detector } = await institution(hub, `mqtt://127.0.0.1:${port}/fire/signals`)
    const d = await detector('101')
    // the detector falls silent: its last message is set far back (its interval is hours)
    const db = new pg.Client({ connectionString: hub.hub.databaseUrl })
    await db.connect()
    t.teardown(() => db.end())
    await db.query("UPDATE devices SET last_seen = now() - interval '30 days' WHERE id = $1", [d.id])
    const offline = await until(
      hub,
      `/api/v1/alerts?type=offline&deviceId=${d.id}`,
      (b: any) => b.items.length > 0,
      20_000,
    )
    t.match(offline.items[0], { priority: 3, state: 'open' })
    const deadline = Date.now() + 20_000
    while (!got.some((s) => s.kind === 'link-loss') && Date.now() < deadline) await sleep(100)
    t.match(
      got.find((s) => s.kind === 'link-loss'),
      { device: { id: d.id }, location: { room: '101' } },
    )

    await d.telemetry({ battery: 90 })
    const back = await until(
      hub,
      `/api/v1/alerts?type=offline&deviceId=${d.id}`,
      (b: any) => b.items[0].state === 'resolved',
      20_000,
    )
    t.equal(back.items[0].outcome, 'restored')
    while (!got.some((s) => s.kind === 'restoral') && Date.now() < deadline + 10_000) await sleep(100)
    t.ok(
      got.some((s) => s.kind === 'restoral'),
      'the restoral reaches the centre',
    )
  },
)
