// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
import mqtt from 'mqtt'
import t from 'tap'
import { deviceTopic } from '../src/contract/topics.js'
import { startTestHub } from './fixtures/hub.js'
import { openLive } from './fixtures/live.js'
import { pollUntil, within } from './fixtures/mqtt.js'
import { addUser } from './fixtures/people.js'

// Commands end to end: the API records and publishes; a real MQTT client subscribed as the detector
// receives the command at QoS 1 and answers with a command-result event; the API and the live feed show it.

t.test('device commands', async (t) => {
  const h = await startTestHub(t)
  const { api, token } = h
  const site = await h.create('/api/v1/sites', { kind: 'institution', name: 'Sunny Home', address: '1 Road' })
  const other = await h.create('/api/v1/sites', { kind: 'institution', name: 'Other', address: '2 Road' })
  const detector = (siteId = site.id) =>
    h.create('/api/v1/devices', { type: 'smoke-detector', siteId, location: { building: 'A' } })
  const send = (id: string, cmd: string, auth = token) =>
    api('POST', `/api/v1/devices/${id}/commands`, { cmd }, auth)
  const commandsOf = async (id: string) =>
    (await api('GET', `/api/v1/devices/${id}/commands`, undefined, token)).body.items
  const stateOf = (id: string, commandId: string) =>
    pollUntil(
      () => commandsOf(id),
      (items) => ['done', 'failed'].includes(items.find((c: any) => c.id === commandId)?.state),
    ).then((items) => items.find((c: any) => c.id === commandId))

  await t.test('silence: received at QoS 1, answered, shown as done', async (t) => {
    const det = await detector()
    const feed = await h.live()
    const device = await h.connectDevice(det)
    const packets: { topic: string; qos: number; payload: any }[] = []
    device.client.on('message', (topic, payload, packet) =>
      packets.push({ topic, qos: packet.qos, payload: JSON.parse(payload.toString()) }),
    )
    await device.answerCommands(() => ({ ok: true, detail: 'sounder silenced' }))

    const res = await send(det.id, 'silence')
    t.equal(res.status, 201)
    t.match(res.body, {
      id: /^cmd_/,
      deviceId: det.id,
      siteId: site.id,
      cmd: 'silence',
      requestedBy: 'admin',
    })
    t.equal(res.body.state, 'sent')

    const done = await stateOf(det.id, res.body.id)
    t.equal(done.state, 'done')
    t.match(done.result, { ok: true, detail: 'sounder silenced', eventId: /^e-/ })
    t.equal(packets.length, 1, 'one command message')
    t.same(packets[0]!.topic, deviceTopic(det.id, 'commands'))
    t.equal(packets[0]!.qos, 1)
    t.same(packets[0]!.payload, { id: res.body.id, cmd: 'silence', ts: res.body.sentAt })

    const updates = (await feed.waitFor((m) => m.kind === 'command.updated' && m.data.state === 'done')).data
    t.match(updates, { id: res.body.id, siteId: site.id, state: 'done', result: { ok: true } })
    const states = feed.messages.filter((m) => m.kind === 'command.updated').map((m) => m.data.state)
    t.equal(states[0], 'sent')
    t.equal(states.at(-1), 'done')
    t.same(
      states.filter((s) => s !== 'delivered'),
      ['sent', 'done'],
      'sent, delivered once the PUBACK is in (unless the answer came first), done',
    )
  })

  await t.test('a device that receives but does not answer: delivered; a failure is failed', async (t) => {
    const det = await detector()
    const mute = await h.connectDevice(det)
    const got: string[] = []
    mute.client.on('message', (_topic, payload) => got.push(payload.toString()))
    await mute.client.subscribeAsync(mute.topic('commands'), { qos: 1 })
    const res = await send(det.id, 'self-test')
    const delivered = await pollUntil(
      () => commandsOf(det.id),
      (items) => items[0]?.state === 'delivered',
    )
    t.equal(delivered[0].state, 'delivered', 'its PUBACK makes it delivered')
    t.equal(got.length, 1)
    t.equal(JSON.parse(got[0]!).id, res.body.id)

    const det2 = await detector()
    const failing = await h.connectDevice(det2)
    await failing.answerCommands(() => ({ ok: false, detail: 'sensor chamber dirty' }))
    const failed = await stateOf(det2.id, (await send(det2.id, 'self-test')).body.id)
    t.equal(failed.state, 'failed')
    t.match(failed.result, { ok: false, detail: 'sensor chamber dirty' })
  })

  await t.test('an offline device with a persistent session gets the command when it returns', async (t) => {
    const det = await detector()
    const first = await h.connectDevice(det)
    await first.client.subscribeAsync(first.topic('commands'), { qos: 1 })
    await first.close()

    const res = await send(det.id, 'silence')
    t.equal(res.status, 201, 'accepted while the device is away')
    t.equal((await commandsOf(det.id))[0].state, 'sent')

    // the same client id resumes the session; the listener is there before the queued message can arrive
    const client = mqtt.connect(h.mqttUrl, {
      username: det.id,
      password: det.secret,
      clientId: `sim-${det.id}`,
      clean: false,
      reconnectPeriod: 0,
    })
    t.teardown(() => client.endAsync(true))
    const received = new Promise<any>((resolve) =>
      client.on('message', (_topic, payload) => resolve(JSON.parse(payload.toString()))),
    )
    const command = await within(received, 10_000, 'the queued command')
    t.equal(command.id, res.body.id)
    await client.publishAsync(
      deviceTopic(det.id, 'events'),
      JSON.stringify({ id: 'r-1', ts: Date.now(), type: 'command-result', command: command.id, ok: true }),
      { qos: 1 },
    )
    t.equal((await stateOf(det.id, res.body.id)).state, 'done')
  })

  await t.test('what each type takes', async (t) => {
    const button = await h.create('/api/v1/devices', { type: 'call-button', siteId: site.id })
    const unsupported = await send(button.id, 'silence')
    t.equal(unsupported.status, 409)
    t.equal(unsupported.body.error, 'HUB_ERR_NOT_SUPPORTED')
    const det = await detector()
    const unknown = await send(det.id, 'explode')
    t.equal(unknown.status, 400)
    t.equal(unknown.body.details[0].field, 'body.cmd')
    t.same(await commandsOf(det.id), [], 'nothing recorded')
    t.equal((await send('dev_nope', 'silence')).status, 404)
  })

  await t.test('roles and scope', async (t) => {
    const mine = await detector()
    const theirs = await detector(other.id)
    const staff = await addUser(h, 'staff', { siteIds: [site.id] })
    const outsider = await addUser(h, 'staff', { siteIds: [other.id] })
    const staffFeed = await openLive(t, h.hub.httpPort, staff.token)
    for (const role of ['operator', 'supervisor']) {
      const u = await addUser(h, role)
      t.equal((await send(mine.id, 'self-test', u.token)).status, 201, role)
    }
    t.equal((await send(mine.id, 'self-test', staff.token)).status, 201, 'staff of the site')
    const foreign = await send(theirs.id, 'self-test', staff.token)
    t.equal(foreign.status, 404, 'staff of another site: the device is not there for them')
    t.equal((await api('GET', `/api/v1/devices/${theirs.id}/commands`, undefined, staff.token)).status, 404)
    t.equal((await api('GET', `/api/v1/devices/${mine.id}/commands`, undefined, outsider.token)).status, 404)
    t.equal((await api('POST', `/api/v1/devices/${mine.id}/commands`, { cmd: 'silence' })).status, 401)

    const theirCommand = (await send(theirs.id, 'silence')).body
    const myCommand = (await send(mine.id, 'silence')).body
    await staffFeed.waitFor((m) => m.kind === 'command.updated' && m.data.id === myCommand.id)
    t.notOk(
      staffFeed.messages.some((m) => m.data.id === theirCommand.id),
      "another site's commands are not on a staff member's feed",
    )
    const list = await commandsOf(mine.id)
    t.same(
      list.map((c: any) => c.requestedBy).slice(0, 2),
      ['admin', staff.username],
      'newest first, each with who sent it',
    )
  })

  await t.test('commands are in the fire-event log', async (t) => {
    const det = await detector()
    const sent = (await send(det.id, 'self-test')).body
    const log = await api('GET', `/api/v1/sites/${site.id}/fire-events?limit=1000`, undefined, token)
    t.match(
      log.body.items.find((e: any) => e.source === 'command' && e.deviceId === det.id),
      { kind: 'self-test', state: 'sent', actor: 'admin', at: sent.sentAt, location: { building: 'A' } },
    )
  })
})
