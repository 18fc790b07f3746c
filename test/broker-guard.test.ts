import { type Socket, connect as tcpConnect } from 'node:net'
import mqtt from 'mqtt'
import t from 'tap'
import { deviceTopic } from '../src/contract/topics.js'
import { startTestHub } from './fixtures/hub.js'
import { connectClient, metricValue, refusedConnect, within } from './fixtures/mqtt.js'

// The broker's defences (issue 13, "Devices"): the packet cap from the first byte, the CONNECT deadline,
// client ids bound to their device, rotation with a grace period, revocation and deletion ending the open
// connection, and the message, connect and failed-login limits. A real hub with low limits.

interface Device {
  id: string
  secret: string
}

/** bound on waits that must happen at once: a hang guard, not a timing assertion */
const SOON_MS = 10_000

t.test('broker guard', async (t) => {
  const h = await startTestHub(t, {
    HUB_MQTT_CONNECT_TIMEOUT: '1s',
    HUB_MQTT_MESSAGE_RATE: '20',
    HUB_MQTT_MESSAGE_BURST: '20',
    HUB_MQTT_CONNECTS_PER_MINUTE: '6',
    HUB_MQTT_AUTH_FAILURES_PER_MINUTE: '8',
  })
  const { site, resident } = (await h.provision()) as { site: { id: string }; resident: { id: string } }
  const newDevice = () =>
    h.create<Device>('/api/v1/devices', { type: 'call-button', siteId: site.id, residentId: resident.id })
  const opts = (d: Device, clientId = `c-${d.id}`, extra = {}) => ({
    username: d.id,
    password: d.secret,
    clientId,
    ...extra,
  })
  const refused = async (reason: string) =>
    metricValue(await (await fetch(`${h.base}/metrics`)).text(), 'hub_mqtt_refused_total', { reason })
  const feed = await h.live()
  const sos = (id: string) => JSON.stringify({ id, ts: new Date().toISOString(), type: 'sos' })

  /** A raw TCP socket to the broker; resolves `closed` when the hub closes it. */
  function rawSocket() {
    const socket: Socket = tcpConnect({ port: h.hub.mqttPort, host: '127.0.0.1' })
    t.teardown(() => socket.destroy())
    socket.on('error', () => {})
    const closed = new Promise<void>((r) => socket.once('close', () => r()))
    const connected = new Promise<void>((r) => socket.once('connect', () => r()))
    return { socket, closed, connected }
  }

  await t.test('a CONNECT announcing 200 MB is cut off at its header; memory stays put', async (t) => {
    const before = await refused('connect-too-large')
    const memBefore = process.memoryUsage().arrayBuffers
    const { socket, closed, connected } = rawSocket()
    await connected
    // fixed header: CONNECT, remaining length 200 MB (variable-length encoding)
    let n = 200 * 1024 * 1024
    const len: number[] = []
    do {
      len.push((n % 128) | (n >= 128 ? 0x80 : 0))
      n = Math.floor(n / 128)
    } while (n > 0)
    socket.write(Buffer.from([0x10, ...len]))
    // then up to 60 MB of body, a chunk at a time, stopping when the hub has closed the socket
    const chunk = Buffer.alloc(1024 * 1024, 0x41)
    let isClosed = false
    void closed.then(() => {
      isClosed = true
    })
    let sent = 0
    while (!isClosed && sent < 60) {
      if (!socket.write(chunk)) await Promise.race([new Promise((r) => socket.once('drain', r)), closed])
      sent++
    }
    await within(closed, SOON_MS, 'the hub closes the oversized CONNECT')
    t.ok(sent < 60, `the hub closed the socket before 60 MB arrived (${sent} MB written)`)
    t.equal((await refused('connect-too-large')) - before, 1, 'counted as connect-too-large')
    const grown = process.memoryUsage().arrayBuffers - memBefore
    t.ok(
      grown < 16 * 1024 * 1024,
      `the hub buffered none of it (buffers grew ${(grown / 1e6).toFixed(1)} MB)`,
    )
  })

  await t.test('a socket that sends no CONNECT is closed (HUB_MQTT_CONNECT_TIMEOUT)', async (t) => {
    const { closed, connected } = rawSocket()
    await connected
    await within(closed, SOON_MS, 'the silent socket is closed')
    t.pass('closed')
  })

  await t.test('a first packet that is not a CONNECT closes the socket', async (t) => {
    const before = await refused('not-connect-first')
    const { socket, closed, connected } = rawSocket()
    await connected
    socket.write(Buffer.from([0xc0, 0x00])) // PINGREQ
    await within(closed, SOON_MS, 'closed')
    t.equal((await refused('not-connect-first')) - before, 1)
  })

  await t.test("another device's client id is refused; the holder stays connected", async (t) => {
    const victim = await newDevice()
    const attacker = await newDevice()
    const held = await connectClient(t, h.mqttUrl, opts(victim, 'shared-id', { clean: false }))
    const before = await refused('client-id-taken')
    const err = await refusedConnect(h.mqttUrl, opts(attacker, 'shared-id', { clean: false }))
    t.equal(err.code, 2, 'CONNACK 2 identifier rejected')
    t.equal((await refused('client-id-taken')) - before, 1)
    t.notOk(held.isClosed(), 'the victim was not disconnected')
    await held.client.publishAsync(deviceTopic(victim.id, 'events'), sos('v-1'), { qos: 1 })
    await feed.waitFor((m) => m.kind === 'alert.opened' && m.data.deviceId === victim.id)

    // its persistent session stays its own while it is away
    await held.client.endAsync()
    const later = await refusedConnect(h.mqttUrl, opts(attacker, 'shared-id', { clean: false }))
    t.equal(later.code, 2, 'the offline persistent session is not taken over either')
    const back = await connectClient(t, h.mqttUrl, opts(victim, 'shared-id', { clean: false }))
    t.ok(back.client.connected, 'the owner reconnects with its client id')
    // a clean session frees its id when it ends
    const cleanDevice = await newDevice()
    const c = await connectClient(t, h.mqttUrl, opts(cleanDevice, 'clean-id', { clean: true }))
    await c.client.endAsync()
    const next = await connectClient(t, h.mqttUrl, opts(attacker, 'clean-id', { clean: true }))
    t.ok(next.client.connected, 'a clean session id is free once its session ended')
  })

  await t.test(
    'rotation: the old secret works through its grace period; without one it ends at once',
    async (t) => {
      const d = await newDevice()
      const open = await connectClient(t, h.mqttUrl, opts(d))
      const graced = await h.api('POST', `/api/v1/devices/${d.id}/secret`, { graceSeconds: 3600 }, h.token)
      t.equal(graced.status, 200)
      t.ok(graced.body.secret && graced.body.secret !== d.secret, 'a new secret, shown once')
      t.ok(Date.parse(graced.body.oldSecretValidUntil) > Date.now(), 'the old secret has a grace end')
      t.notOk(open.isClosed(), 'the open connection keeps working in the grace period')
      const oldAgain = await connectClient(t, h.mqttUrl, opts(d, `c2-${d.id}`))
      t.ok(oldAgain.client.connected, 'the old secret still connects')
      const fresh = await connectClient(
        t,
        h.mqttUrl,
        opts({ id: d.id, secret: graced.body.secret }, `c3-${d.id}`),
      )
      t.ok(fresh.client.connected, 'the new secret connects')

      const now = await h.api('POST', `/api/v1/devices/${d.id}/secret`, undefined, h.token)
      t.equal(now.status, 200)
      t.equal(now.body.oldSecretValidUntil, null)
      await within(
        Promise.all([open.closed, oldAgain.closed, fresh.closed]),
        SOON_MS,
        'every open connection closes',
      )
      const err = await refusedConnect(
        h.mqttUrl,
        opts({ id: d.id, secret: graced.body.secret }, `c4-${d.id}`),
      )
      t.equal(err.code, 5, 'the replaced secret is refused')
      t.equal((await h.api('POST', '/api/v1/devices/dev_nope/secret', {}, h.token)).status, 404)
      t.equal(
        (await h.api('POST', `/api/v1/devices/${d.id}/secret`, { graceSeconds: -1 }, h.token)).status,
        400,
      )
    },
  )

  await t.test('revocation and deletion close the open connection at once', async (t) => {
    const d = await newDevice()
    const open = await connectClient(t, h.mqttUrl, opts(d))
    const res = await h.api('POST', `/api/v1/devices/${d.id}/revoke`, undefined, h.token)
    t.equal(res.status, 200)
    t.notOk('secret' in res.body, 'no secret in the answer')
    await within(open.closed, SOON_MS, 'the revoked device is disconnected')
    t.equal((await refusedConnect(h.mqttUrl, opts(d))).code, 5, 'its secret no longer works')

    const e = await newDevice()
    const other = await connectClient(t, h.mqttUrl, opts(e))
    t.equal((await h.api('DELETE', `/api/v1/devices/${e.id}`, undefined, h.token)).status, 200)
    await within(other.closed, SOON_MS, 'the deleted device is disconnected')
  })

  await t.test('a flood is slowed, then cut; within the burst nothing waits', async (t) => {
    const d = await newDevice()
    const c = await connectClient(t, h.mqttUrl, opts(d))
    const topic = deviceTopic(d.id, 'telemetry')
    const reading = JSON.stringify({ ts: Date.now(), battery: 90, rssi: -60 })
    // 30 QoS 1 readings at once: 20 pass, 10 wait for tokens (back-pressure), all are acknowledged
    await within(
      Promise.all(Array.from({ length: 30 }, () => c.client.publishAsync(topic, reading, { qos: 1 }))),
      SOON_MS,
      '30 PUBACKs',
    )
    t.notOk(c.isClosed(), 'a short burst over the rate is slowed, not cut')
    const before = await refused('message-rate')
    for (let i = 0; i < 200; i++) c.client.publish(topic, reading, { qos: 0 })
    await within(c.closed, SOON_MS, 'a flood closes the connection')
    t.equal((await refused('message-rate')) - before, 1, 'counted as message-rate')
  })

  await t.test('a device reconnecting in a loop is refused for a while (CONNACK 3)', async (t) => {
    const d = await newDevice()
    const codes: number[] = []
    for (let i = 0; i < 8; i++) {
      const code = await mqtt.connectAsync(h.mqttUrl, { ...opts(d), reconnectPeriod: 0 }).then(
        async (c) => {
          await c.endAsync()
          return 0
        },
        (e: { code?: number }) => e.code ?? -1,
      )
      codes.push(code)
    }
    t.same(codes, [0, 0, 0, 0, 0, 0, 3, 3], 'server unavailable after 6 connects in a minute')
    const other = await newDevice()
    const c = await connectClient(t, h.mqttUrl, opts(other))
    t.ok(c.client.connected, 'other devices are not affected')
  })

  // last: it throttles 127.0.0.1, which every other test here connects from
  await t.test('an address guessing secrets is refused even the right one for a while', async (t) => {
    const d = await newDevice()
    for (let i = 0; i < 8; i++) await refusedConnect(h.mqttUrl, { ...opts(d), password: `guess-${i}` })
    const before = await refused('address-throttled')
    const err = await refusedConnect(h.mqttUrl, opts(d))
    t.equal(err.code, 5, 'the right secret is refused from this address now')
    t.equal((await refused('address-throttled')) - before, 1)
  })
})
