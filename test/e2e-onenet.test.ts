// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
import t from 'tap'
import { SimOnenet } from '../simulators/onenet.js'
import { until } from './fixtures/escalation.js'
import { startTestHub } from './fixtures/hub.js'
import { metricValue } from './fixtures/mqtt.js'

// OneNET Studio data push end to end: the URL check, a signed thing-model notify opening an SOS alert on the
// device registered with its OneNET deviceId, a forged one refused and counted.

const TOKEN = 'onenet-push-token-1'

t.test('OneNET push', async (t) => {
  const hub = await startTestHub(t, { ONENET_PUSH_TOKEN: TOKEN })
  const { site, resident } = await hub.provision('call-button')
  const device = await hub.create('/api/v1/devices', {
    type: 'call-button',
    siteId: site.id,
    residentId: resident.id,
    externalId: '2401998877',
  })
  t.equal(device.externalId, '2401998877')
  const onenet = new SimOnenet({ url: `${hub.base}/api/v1/ingest/onenet`, token: TOKEN })

  await t.test('the URL check answers msg itself, and only when signed', async (t) => {
    const ok = await onenet.check()
    t.same([ok.status, ok.text], [200, ok.msg])
    t.equal((await onenet.check('abc', 'wrong-token')).status, 401)
  })

  await t.test('a signed push opens an SOS alert', async (t) => {
    const event = { id: 'nb-1', ts: new Date().toISOString(), type: 'sos', state: 'alarm' }
    // OneNET may send the device id as a number: compared as a string
    const res = await onenet.push({ ...onenet.notify('x', 'event', { sos: event }), deviceId: 2401998877 })
    t.same(res, { status: 200, body: { ok: true } }, 'answered after commit')
    const alerts = await until(hub, `/api/v1/alerts?deviceId=${device.id}`, (b: any) => b.items.length > 0)
    t.match(alerts.items[0], { type: 'sos', count: 1 })
    t.equal((await onenet.push(onenet.notify('2401998877', 'event', { sos: event }))).status, 200)
    const again = (await hub.api('GET', `/api/v1/alerts?deviceId=${device.id}`, undefined, hub.token)).body
    t.equal(again.items[0].count, 1, 'the same report pushed again opens nothing new')
  })

  await t.test('a forged or unsigned push is refused and counted', async (t) => {
    const badSignatures = async () =>
      metricValue(await (await fetch(`${hub.base}/metrics`)).text(), 'hub_push_total', {
        platform: 'onenet',
        outcome: 'bad-signature',
      })
    const before = await badSignatures()
    const event = { id: 'nb-2', ts: new Date().toISOString(), type: 'sos', state: 'alarm' }
    const forged = await onenet.push(onenet.notify('2401998877', 'event', { sos: event }), 'not-the-token')
    t.equal(forged.status, 401)
    const unsigned = await fetch(`${hub.base}/api/v1/ingest/onenet`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ msg: '{}', nonce: 'n' }),
    })
    t.equal(unsigned.status, 401, 'a push without a signature is refused')
    t.equal((await badSignatures()) - before, 2, 'both counted')
    const alerts = (await hub.api('GET', `/api/v1/alerts?deviceId=${device.id}`, undefined, hub.token)).body
    t.equal(alerts.items[0].count, 1, 'the forged report changed nothing')
  })

  await t.test('an unknown device is not answered 2xx; a property report is a reading', async (t) => {
    t.equal((await onenet.push(onenet.notify('no-such', 'event', { sos: {} }))).status, 404)
    const res = await onenet.push(onenet.notify('2401998877', 'property', { battery: 77, rssi: -70 }))
    t.equal(res.status, 200)
    const d = await until(hub, `/api/v1/devices/${device.id}`, (b: any) => b.battery === 77)
    t.equal(d.rssi, -70)
  })
})
