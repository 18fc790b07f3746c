import t from 'tap'
import { deviceTopic } from '../src/contract/topics.js'
import { dbClient } from './fixtures/db.js'
import { startTestHub } from './fixtures/hub.js'
import {
  connackCode,
  connectClient,
  metricValue,
  pollUntil,
  refusedConnect,
  within,
} from './fixtures/mqtt.js'

// The device-facing contract (CONTRACT.md, "Devices over MQTT"): authentication, the topic ACL, bad payloads,
// the packet limit, MQTT over WebSocket and device state, against a real hub with real MQTT.js clients.

interface Device {
  id: string
  type: string
  siteId: string
  secret: string
}

const CLOSE_MS = 10_000
/** how long the live feed is watched for a message that must not come */
const QUIET_MS = 1_000

const sosPayload = (id: string) => JSON.stringify({ id, ts: new Date().toISOString(), type: 'sos' })

t.test('devices over MQTT', async (t) => {
  const h = await startTestHub(t)
  const db = await dbClient(t, h.hub.databaseUrl)

  const metrics = async () => (await fetch(`${h.base}/metrics`)).text()
  const counter = (text: string, name: string, reason: string) => metricValue(text, name, { reason })
  const refused = (text: string, reason: string) => counter(text, 'hub_mqtt_refused_total', reason)

  /** A call button with a resident, and a second device (the neighbour) at the same site. */
  async function pair(type = 'call-button'): Promise<{ device: Device; neighbour: Device }> {
    const { device, site, resident } = await h.provision(type)
    const neighbour = await h.create<Device>('/api/v1/devices', {
      type: 'call-button',
      siteId: site.id,
      residentId: resident.id,
    })
    return { device, neighbour }
  }

  const deviceOpts = (d: Device, clientId = `t-${d.id}`) => ({
    username: d.id,
    password: d.secret,
    clientId,
  })
  const getDevice = async (id: string) =>
    (await h.api('GET', `/api/v1/devices/${id}`, undefined, h.token)).body
  const alertsOf = async (deviceId: string) => {
    const res = await h.api('GET', `/api/v1/alerts?deviceId=${deviceId}`, undefined, h.token)
    t.equal(res.status, 200)
    return res.body.items as { id: string; type: string; deviceId: string }[]
  }
  const eventsOf = async (deviceId: string) =>
    (await db.query('SELECT event_id FROM events WHERE device_id = $1', [deviceId])).rows

  await t.test(
    'a device that fails authentication is refused with "not authorized", counted by reason',
    async (t) => {
      const { device, neighbour } = await pair()
      const before = await metrics()

      const badSecret = await refusedConnect(h.mqttUrl, { ...deviceOpts(device), password: 'not-the-secret' })
      t.equal(badSecret.code, 5, 'wrong secret: CONNACK 5')
      t.match(badSecret.message, /not authorized/i)
      // another device's (valid) secret is a wrong secret too
      const swapped = await refusedConnect(h.mqttUrl, { ...deviceOpts(device), password: neighbour.secret })
      t.equal(swapped.code, 5, "another device's secret: CONNACK 5")

      const unknown = await refusedConnect(h.mqttUrl, {
        username: 'dev_doesnotexist',
        password: device.secret,
        clientId: 't-unknown',
      })
      t.equal(unknown.code, 5, 'unknown device: CONNACK 5')
      t.match(unknown.message, /not authorized/i)

      const anonymous = await refusedConnect(h.mqttUrl, { clientId: 't-anonymous' })
      t.equal(anonymous.code, 5, 'no credentials: CONNACK 5')
      t.match(anonymous.message, /not authorized/i)
      const noPassword = await refusedConnect(h.mqttUrl, { username: device.id, clientId: 't-no-password' })
      t.equal(noPassword.code, 5, 'a username without a password: CONNACK 5')

      const after = await metrics()
      t.equal(refused(after, 'bad-secret') - refused(before, 'bad-secret'), 2, 'bad-secret counted')
      t.equal(
        refused(after, 'unknown-device') - refused(before, 'unknown-device'),
        1,
        'unknown-device counted',
      )
      t.equal(
        refused(after, 'no-credentials') - refused(before, 'no-credentials'),
        2,
        'no-credentials counted',
      )

      const ok = await connectClient(t, h.mqttUrl, deviceOpts(device))
      t.ok(ok.client.connected, 'the right secret is accepted')
    },
  )

  await t.test(
    'a zero-length client id with clean session off is refused with identifier rejected',
    async (t) => {
      const { device } = await pair()
      const creds = { username: device.id, password: device.secret }
      t.equal(
        await connackCode(t, h.hub.mqttPort, { ...creds, clientId: '', clean: false }),
        2,
        'CONNACK 2, identifier rejected [MQTT-3.1.3-8]',
      )
      t.equal(
        await connackCode(t, h.hub.mqttPort, { ...creds, clientId: '', clean: true }),
        0,
        'with a clean session a zero-length client id is accepted',
      )
    },
  )

  await t.test('a publish outside its own topics closes the connection and raises nothing', async (t) => {
    const { device, neighbour } = await pair()
    const feed = await h.live()
    const before = await metrics()

    const rogue = await connectClient(t, h.mqttUrl, deviceOpts(device))
    let acked = false
    // a well-formed SOS: if the ACL let it through it would open an alert for the neighbour
    rogue.client.publishAsync(deviceTopic(neighbour.id, 'events'), sosPayload('rogue-1'), { qos: 1 }).then(
      () => {
        acked = true
      },
      () => {},
    )
    await within(rogue.closed, CLOSE_MS, "publishing to another device's events topic closes the connection")
    t.notOk(acked, 'no PUBACK (MQTT 3.1.1 has no negative PUBACK: the connection closes instead)')

    // the connection is closed, the device may come back; other publishes outside its topics close it too
    const outside = [
      `${deviceTopic(device.id, 'events').replace(/events$/, 'foo')}`,
      deviceTopic(device.id, 'commands'),
      'eldercare/v1/devices',
    ]
    for (const topic of outside) {
      const again = await connectClient(t, h.mqttUrl, deviceOpts(device))
      again.client.publishAsync(topic, sosPayload(`rogue-${topic}`), { qos: 1 }).then(
        () => {
          acked = true
        },
        () => {},
      )
      await within(again.closed, CLOSE_MS, `publishing to ${topic} closes the connection`)
      t.notOk(acked, `no PUBACK for ${topic}`)
    }

    const after = await metrics()
    t.equal(refused(after, 'publish-acl') - refused(before, 'publish-acl'), 1 + outside.length, 'counted')

    // nothing was raised, for either device
    await new Promise((r) => setTimeout(r, QUIET_MS))
    t.same(await alertsOf(neighbour.id), [], 'no alert for the device whose topic was used')
    t.same(await alertsOf(device.id), [], 'no alert for the publishing device')
    t.same(await eventsOf(neighbour.id), [], 'no event stored for the neighbour')
    t.same(await eventsOf(device.id), [], 'no event stored for the publishing device')
    t.same(feed.messages, [], 'nothing on the live feed')

    // and the device itself still works on its own topic
    const honest = await connectClient(t, h.mqttUrl, deviceOpts(device))
    await honest.client.publishAsync(deviceTopic(device.id, 'events'), sosPayload('own-1'), { qos: 1 })
    const opened = await feed.waitFor((m) => m.kind === 'alert.opened')
    t.equal(opened.data.deviceId, device.id)
    t.equal(opened.data.type, 'sos')
  })

  await t.test("subscribing to another device's commands gets SUBACK 0x80; its own is granted", async (t) => {
    const { device, neighbour } = await pair()
    const before = await metrics()
    const c = await connectClient(t, h.mqttUrl, deviceOpts(device))

    // MQTT.js 5 rejects subscribeAsync when a SUBACK return code has bit 0x80 set, with the packet attached
    for (const topic of [deviceTopic(neighbour.id, 'commands'), 'eldercare/v1/devices/+/commands', '#']) {
      const err = await c.client.subscribeAsync(topic, { qos: 1 }).then(
        () => null,
        (e: Error & { packet?: { granted?: number[] } }) => e,
      )
      t.ok(err, `subscribing to ${topic} is refused`)
      t.same(err?.packet?.granted, [0x80], `SUBACK failure 0x80 for ${topic}`)
      t.ok(c.client.connected, 'a refused subscription does not close the connection')
    }

    const granted = await c.client.subscribeAsync(deviceTopic(device.id, 'commands'), { qos: 1 })
    t.same(
      granted.map((g) => ({ topic: g.topic, qos: g.qos })),
      [{ topic: deviceTopic(device.id, 'commands'), qos: 1 }],
      'its own commands topic is granted at QoS 1',
    )
    const after = await metrics()
    t.equal(refused(after, 'subscribe-acl') - refused(before, 'subscribe-acl'), 3, 'refusals counted')
    t.notOk(c.isClosed())
  })

  await t.test(
    'bad payloads are acknowledged, rejected, counted and kept; a neighbour is not disturbed',
    async (t) => {
      const { device, neighbour } = await pair()
      const feed = await h.live()
      const before = await metrics()
      const flooder = await connectClient(t, h.mqttUrl, deviceOpts(device))
      const other = await connectClient(t, h.mqttUrl, deviceOpts(neighbour))
      const topic = deviceTopic(device.id, 'events')
      const now = () => new Date().toISOString()

      // each of these would open an SOS alert if its check were missing
      const padding = 'x'.repeat(5_000)
      const bad: { reason: string; payload: string }[] = []
      for (let i = 0; i < 3; i++) {
        bad.push({ reason: 'not-json', payload: `{"id":"nj-${i}","ts":"${now()}","type":"sos"` })
        bad.push({
          reason: 'unknown-type',
          payload: JSON.stringify({ id: `ut-${i}`, ts: now(), type: 'smoke' }),
        })
        bad.push({ reason: 'schema', payload: JSON.stringify({ ts: now(), type: 'sos' }) })
        bad.push({
          reason: 'too-large',
          payload: JSON.stringify({ id: `tl-${i}`, ts: now(), type: 'sos', padding }),
        })
      }
      const send = (b: { payload: string }) => flooder.client.publishAsync(topic, b.payload, { qos: 1 })
      const half = bad.length / 2
      const first = bad.slice(0, half).map(send)
      // the neighbour's SOS goes out in the middle of the flood
      await other.client.publishAsync(deviceTopic(neighbour.id, 'events'), sosPayload('n-1'), { qos: 1 })
      const second = bad.slice(half).map(send)
      const acks = await within(
        Promise.allSettled([...first, ...second]),
        CLOSE_MS,
        'PUBACKs for bad payloads',
      )
      t.same(
        acks.map((a) => a.status),
        bad.map(() => 'fulfilled'),
        'every bad payload is acknowledged',
      )
      t.notOk(flooder.isClosed(), 'bad payloads up to 256 KiB do not close the connection')

      const opened = await feed.waitFor((m) => m.kind === 'alert.opened' && m.data.deviceId === neighbour.id)
      t.equal(opened.data.type, 'sos', "the neighbour's SOS arrived during the flood")

      const dev = await pollUntil(
        () => getDevice(device.id),
        (d) => d.rejectedCount >= bad.length,
      )
      t.equal(dev.rejectedCount, bad.length, 'every bad payload is counted for the device')
      t.equal((await getDevice(neighbour.id)).rejectedCount, 0, 'nothing counted for the neighbour')

      t.same(await alertsOf(device.id), [], 'no alert from a bad payload')
      t.same(await eventsOf(device.id), [], 'no event stored from a bad payload')
      t.notOk(
        feed.messages.some((m) => m.data.deviceId === device.id),
        'nothing about the flooding device on the live feed',
      )

      const after = await metrics()
      for (const reason of ['not-json', 'unknown-type', 'schema', 'too-large']) {
        t.equal(
          counter(after, 'hub_ingest_rejected_total', reason) -
            counter(before, 'hub_ingest_rejected_total', reason),
          3,
          `hub_ingest_rejected_total{reason="${reason}"}`,
        )
      }

      const { rows } = await db.query<{
        topic: string
        reason: string
        detail: string
        size: number
        raw: Buffer
      }>('SELECT topic, reason, detail, size, raw FROM rejected_messages WHERE device_id = $1 ORDER BY id', [
        device.id,
      ])
      t.equal(rows.length, bad.length, 'every bad payload is kept')
      t.same(rows.map((r) => r.reason).sort(), bad.map((b) => b.reason).sort(), 'each with its reason')
      for (const r of rows) {
        t.equal(r.topic, topic)
        t.ok(r.detail.length > 0, `${r.reason}: a detail is kept`)
        t.ok(r.raw.length <= 4096, `${r.reason}: at most 4096 raw bytes kept`)
        const sent = bad.filter((b) => b.reason === r.reason).map((b) => Buffer.from(b.payload))
        t.ok(
          sent.some((s) => s.length === r.size && s.subarray(0, 4096).equals(r.raw)),
          `${r.reason}: the size and the first bytes of what was sent`,
        )
      }
      const large = rows.filter((r) => r.reason === 'too-large')
      t.ok(
        large.every((r) => r.size > 5_000 && r.raw.length === 4096),
        'a payload over 4 KiB keeps its first 4096 bytes and its size',
      )
    },
  )

  await t.test('a packet over 256 KiB closes the connection; the device can reconnect', async (t) => {
    const { device } = await pair()
    const feed = await h.live()
    const before = await metrics()
    const big = await connectClient(t, h.mqttUrl, deviceOpts(device))
    let acked = false
    const huge = JSON.stringify({ id: 'huge-1', ts: new Date().toISOString(), type: 'sos' }).padEnd(
      300 * 1024,
      ' ',
    )
    big.client.publishAsync(deviceTopic(device.id, 'events'), huge, { qos: 1 }).then(
      () => {
        acked = true
      },
      () => {},
    )
    await within(big.closed, CLOSE_MS, 'a packet over 256 KiB closes the connection')
    t.notOk(acked, 'the oversized packet is not acknowledged')
    const after = await metrics()
    t.equal(
      refused(after, 'packet-too-large') - refused(before, 'packet-too-large'),
      1,
      'hub_mqtt_refused_total{reason="packet-too-large"}',
    )
    t.same(await eventsOf(device.id), [], 'nothing of it was stored')

    const back = await connectClient(t, h.mqttUrl, deviceOpts(device))
    t.ok(back.client.connected, 'the same device reconnects')
    await back.client.publishAsync(deviceTopic(device.id, 'events'), sosPayload('after-1'), { qos: 1 })
    const opened = await feed.waitFor((m) => m.kind === 'alert.opened' && m.data.deviceId === device.id)
    t.equal(opened.data.event?.id, 'after-1')
    t.equal((await h.api('GET', '/healthz')).status, 200)
  })

  await t.test('MQTT over WebSocket at /mqtt', async (t) => {
    const { device } = await pair()
    const feed = await h.live()
    const ws = await connectClient(t, `ws://127.0.0.1:${h.hub.httpPort}/mqtt`, deviceOpts(device))
    t.ok(ws.client.connected)
    await ws.client.publishAsync(deviceTopic(device.id, 'events'), sosPayload('ws-1'), { qos: 1 })
    const opened = await feed.waitFor((m) => m.kind === 'alert.opened' && m.data.deviceId === device.id)
    t.equal(opened.data.type, 'sos')
    t.equal(opened.data.event?.id, 'ws-1')

    const refusedWs = await refusedConnect(`ws://127.0.0.1:${h.hub.httpPort}/mqtt`, {
      ...deviceOpts(device, 't-ws-bad'),
      password: 'wrong',
    })
    t.equal(refusedWs.code, 5, 'authentication applies over WebSocket too')
  })

  await t.test('status and telemetry update the device: online, lastSeen, battery', async (t) => {
    const { device } = await pair('fall-sensor')
    const fresh = await getDevice(device.id)
    t.equal(fresh.online, false, 'never heard from: offline')
    t.equal(fresh.lastSeen, null)
    t.equal(fresh.battery, null)

    const startedAt = Date.now()
    const c = await connectClient(t, h.mqttUrl, deviceOpts(device))
    await c.client.publishAsync(deviceTopic(device.id, 'status'), 'online', { qos: 1, retain: true })
    const telemetry = deviceTopic(device.id, 'telemetry')
    // back to back, QoS 0 then QoS 1, so that they are likely written in one batch: the last one still wins
    const sent = [
      { battery: 81, rssi: -70, qos: 0 },
      { battery: 72, rssi: -68, qos: 0 },
      { battery: 64, rssi: -66, qos: 1 },
    ] as const
    await Promise.all(
      sent.map(({ qos, ...r }) =>
        c.client.publishAsync(telemetry, JSON.stringify({ ts: Date.now(), ...r }), { qos }),
      ),
    )

    const d = await pollUntil(
      () => getDevice(device.id),
      (d) => d.online === true && d.battery === 64,
    )
    t.equal(d.online, true, 'online after "online" and a reading')
    t.equal(d.battery, 64, "battery is the last reading's")
    t.equal(d.rssi, -66)
    t.type(d.lastSeen, 'string')
    t.ok(Date.parse(d.lastSeen) >= startedAt, 'lastSeen is when the hub heard the device')

    await c.client.publishAsync(deviceTopic(device.id, 'status'), 'offline', { qos: 1, retain: true })
    const gone = await pollUntil(
      () => getDevice(device.id),
      (d) => d.online === false,
    )
    t.equal(gone.online, false, 'a device that reports "offline" is offline')
    t.equal(gone.battery, 64, 'the last battery stays')
  })
})
