// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
import t from 'tap'
import { deviceTopic, siteAlertsTopic } from '../src/contract/topics.js'
import { startTestHub } from './fixtures/hub.js'
import { connectClient, refusedConnect, within } from './fixtures/mqtt.js'

// MQTT accounts that are not devices (issue 13, "Integrations"): Node-RED reading one institution's alerts, a
// conformance suite confined to its own subtree. Rights are topic filters; the hub's tree is not theirs to
// publish in; a change to the account closes its connections.

t.test('MQTT accounts', async (t) => {
  const h = await startTestHub(t)
  const a = await h.provision('call-button', { kind: 'institution' })
  const b = await h.provision('call-button', { kind: 'institution' })
  const post = (body: unknown) => h.api('POST', '/api/v1/mqtt-accounts', body, h.token)
  const login = (acc: { username: string; secret: string }, clientId = `c-${acc.username}`) => ({
    username: acc.username,
    password: acc.secret,
    clientId,
  })
  const sos = (id: string) => JSON.stringify({ id, ts: new Date().toISOString(), type: 'sos' })
  const granted = async (client: any, filter: string) => {
    const r = await client.subscribeAsync(filter, { qos: 1 }).then(
      (g: { qos: number }[]) => g[0]?.qos,
      (e: { packet?: { granted?: number[] } }) => e.packet?.granted?.[0],
    )
    return r !== 0x80 && r !== undefined
  }

  await t.test('rights are checked when an account is made; the secret is shown once', async (t) => {
    for (const [body, field] of [
      [{ username: 'bad1', publish: ['#'] }, 'body.publish.0'],
      [{ username: 'bad2', publish: ['eldercare/v1/devices/dev_a/events'] }, 'body.publish.0'],
      [{ username: 'bad3', publish: ['+/anything'] }, 'body.publish.0'],
      [{ username: 'bad4', subscribe: ['a/#/b'] }, 'body.subscribe.0'],
      [{ username: 'bad5', subscribe: ['a/b+'] }, 'body.subscribe.0'],
      [{ username: 'dev_lookalike' }, 'body.username'],
    ] as const) {
      const res = await post(body)
      t.equal(res.status, 400, JSON.stringify(body))
      t.equal(res.body.details?.[0]?.field, field)
    }
    const ok = await post({ username: 'viewer', subscribe: ['x/#'] })
    t.equal(ok.status, 201)
    t.ok(ok.body.secret, 'the secret, once')
    const read = await h.api('GET', `/api/v1/mqtt-accounts/${ok.body.id}`, undefined, h.token)
    t.equal(read.status, 200)
    t.notOk('secret' in read.body || 'secretHash' in read.body, 'never again')
    t.equal((await post({ username: 'viewer' })).status, 409, 'usernames are unique')
    const list = await h.api('GET', '/api/v1/mqtt-accounts?q=view', undefined, h.token)
    t.same(
      list.body.items.map((i: any) => i.username),
      ['viewer'],
    )
  })

  await t.test("Node-RED reads one institution's alerts and nothing else", async (t) => {
    const acc = (await post({ username: 'nodered', subscribe: [siteAlertsTopic(a.site.id)] })).body
    const nr = await connectClient(t, h.mqttUrl, login(acc))
    t.ok(await granted(nr.client, siteAlertsTopic(a.site.id)), 'its institution: granted')
    t.notOk(await granted(nr.client, siteAlertsTopic(b.site.id)), 'another institution: 0x80')
    t.notOk(await granted(nr.client, '#'), 'everything: 0x80')
    t.notOk(await granted(nr.client, 'eldercare/v1/sites/+/alerts'), 'every site: 0x80')
    t.notOk(await granted(nr.client, deviceTopic(a.device.id, 'events')), "a device's events: 0x80")
    const received: any[] = []
    nr.client.on('message', (topic, payload) => received.push({ topic, ...JSON.parse(payload.toString()) }))

    const devB = await h.connectDevice(b.device)
    await devB.client.publishAsync(deviceTopic(b.device.id, 'events'), sos('b-1'), { qos: 1 })
    const devA = await h.connectDevice(a.device)
    await devA.client.publishAsync(deviceTopic(a.device.id, 'events'), sos('a-1'), { qos: 1 })
    await within(
      (async () => {
        while (!received.some((m) => m.kind === 'alert.opened')) await new Promise((r) => setTimeout(r, 20))
      })(),
      10_000,
      'the alert arrives over MQTT',
    )
    const opened = received.find((m) => m.kind === 'alert.opened')
    t.equal(opened.topic, siteAlertsTopic(a.site.id))
    t.equal(opened.data.deviceId, a.device.id)
    t.equal(opened.data.type, 'sos')
    t.ok(
      received.every((m) => m.data.siteId === a.site.id),
      'nothing of the other institution',
    )

    // an account may not publish in the hub's tree: a forged alarm closes its connection and stores nothing
    nr.client.publish(deviceTopic(a.device.id, 'events'), sos('forged'), { qos: 1 })
    await within(nr.closed, 10_000, 'the forging account is disconnected')
    const alerts = await h.api('GET', `/api/v1/alerts?deviceId=${a.device.id}`, undefined, h.token)
    t.equal(alerts.body.items[0].count ?? 1, 1, 'the forged event did not arrive')
  })

  await t.test('a test account is confined to its own subtree', async (t) => {
    const acc = (await post({ username: 'suite', publish: ['conformance/#'], subscribe: ['conformance/#'] }))
      .body
    const c = await connectClient(t, h.mqttUrl, login(acc))
    t.ok(await granted(c.client, 'conformance/+/b'), 'a filter within its subtree')
    t.notOk(await granted(c.client, 'other/#'))
    const got = new Promise<string>((resolve) => c.client.once('message', (topic) => resolve(topic)))
    await c.client.publishAsync('conformance/a/b', 'hello', { qos: 1 })
    t.equal(await within(got, 10_000, 'its own message back'), 'conformance/a/b')
    c.client.publish('elsewhere/x', 'no', { qos: 1 })
    await within(c.closed, 10_000, 'a publish outside closes the connection')
  })

  await t.test('disabling, a new secret or deleting closes the connections at once', async (t) => {
    const acc = (await post({ username: 'temp', subscribe: ['temp/#'] })).body
    const first = await connectClient(t, h.mqttUrl, login(acc))
    const off = await h.api('PATCH', `/api/v1/mqtt-accounts/${acc.id}`, { disabled: true }, h.token)
    t.equal(off.body.disabled, true)
    await within(first.closed, 10_000, 'closed when disabled')
    t.equal((await refusedConnect(h.mqttUrl, login(acc))).code, 5, 'a disabled account is refused')

    await h.api('PATCH', `/api/v1/mqtt-accounts/${acc.id}`, { disabled: false }, h.token)
    const second = await connectClient(t, h.mqttUrl, login(acc))
    const rotated = await h.api('POST', `/api/v1/mqtt-accounts/${acc.id}/secret`, undefined, h.token)
    t.ok(rotated.body.secret)
    await within(second.closed, 10_000, 'closed on a new secret')
    t.equal((await refusedConnect(h.mqttUrl, login(acc))).code, 5, 'the old secret is refused')

    const third = await connectClient(t, h.mqttUrl, login({ ...acc, secret: rotated.body.secret }))
    t.equal((await h.api('DELETE', `/api/v1/mqtt-accounts/${acc.id}`, undefined, h.token)).status, 200)
    await within(third.closed, 10_000, 'closed when deleted')
    t.equal((await h.api('GET', `/api/v1/mqtt-accounts/${acc.id}`, undefined, h.token)).status, 404)
  })

  await t.test('only admins manage accounts', async (t) => {
    await h.create('/api/v1/users', { username: 'op1', password: 'operator-pw-1', role: 'operator' })
    const op = await h.login('op1', 'operator-pw-1')
    t.equal((await h.api('GET', '/api/v1/mqtt-accounts', undefined, op)).status, 403)
    t.equal((await h.api('POST', '/api/v1/mqtt-accounts', { username: 'sneaky' }, op)).status, 403)
  })
})
