import t from 'tap'
import { startTestHub } from './fixtures/hub.js'

t.test('rejected payloads can be inspected per device, newest first, with the reason', async (t) => {
  const h = await startTestHub(t)
  const { device } = await h.provision('smoke-detector', { kind: 'institution' })
  const d = await h.connectDevice(device)
  await d.publish('events', 'garbage')
  await d.publish('events', JSON.stringify({ id: 'x', ts: Date.now(), type: 'sos' }))
  await d.publish('telemetry', JSON.stringify({ ts: Date.now(), battery: 150 }))
  await d.publish('events', Buffer.alloc(5000, 'a'))

  const all = await h.api('GET', `/api/v1/devices/${device.id}/rejected`, undefined, h.token)
  t.equal(all.status, 200)
  t.same(
    all.body.items.map((r: { reason: string }) => r.reason),
    ['too-large', 'schema', 'unknown-type', 'not-json'],
  )
  const [big, schema, unknown, notJson] = all.body.items
  t.match(big, { size: 5000, truncated: true })
  t.equal(Buffer.from(big.raw, 'base64').length, 4096, 'the first 4 KiB are kept')
  t.match(schema, { topic: `eldercare/v1/devices/${device.id}/telemetry` })
  t.match(schema.detail, /battery/)
  t.match(unknown.detail, /does not send "sos"/)
  t.match(notJson, { text: 'garbage', truncated: false })

  const first = await h.api('GET', `/api/v1/devices/${device.id}/rejected?limit=3`, undefined, h.token)
  const rest = await h.api(
    'GET',
    `/api/v1/devices/${device.id}/rejected?limit=3&cursor=${first.body.nextCursor}`,
    undefined,
    h.token,
  )
  t.same(
    rest.body.items.map((r: { reason: string }) => r.reason),
    ['not-json'],
  )
  const fetched = await h.api('GET', `/api/v1/devices/${device.id}`, undefined, h.token)
  t.equal(fetched.body.rejectedCount, 4)
  t.equal((await h.api('GET', '/api/v1/devices/dev_none/rejected', undefined, h.token)).status, 404)
})
