// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
import { once } from 'node:events'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { until } from './fixtures/escalation.js'
import { startTestHub } from './fixtures/hub.js'

// Commands to a device that reports through OneNET go out as a thing-model service call on the platform's
// OpenAPI: a real HTTP server on 127.0.0.1 stands in for OneNET. Accepted → delivered; refused, non-2xx or
// silent → failed with the reason; a device without an externalId still gets its command over MQTT.

const KEY = 'version=2022-05-01&res=products%2Fp-elder&et=1924992000&method=sha1&sign=c2lnbg%3D%3D'

interface Seen {
  url: string
  headers: IncomingHttpHeaders
  body: any
}

/** The platform: records every request and answers with `reply` (a status and body, after `delayMs`). */
async function fakeOnenet(t: { teardown(fn: () => unknown): void }) {
  const seen: Seen[] = []
  const state = { status: 200, body: { code: 0, msg: 'succ' } as unknown, delayMs: 0 }
  const server = createServer((req, res) => {
    let text = ''
    req.on('data', (c) => (text += c))
    req.on('end', () => {
      seen.push({ url: req.url ?? '', headers: req.headers, body: JSON.parse(text || 'null') })
      const timer = setTimeout(() => {
        res.writeHead(state.status, { 'content-type': 'application/json' }).end(JSON.stringify(state.body))
      }, state.delayMs)
      res.on('close', () => clearTimeout(timer))
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => {
    server.closeAllConnections()
    server.close()
  })
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, state }
}

t.test('commands through the OneNET API', async (t) => {
  const platform = await fakeOnenet(t)
  const hub = await startTestHub(t, {
    ONENET_API_URL: `${platform.url}/api`,
    ONENET_API_KEY: KEY,
    ONENET_PRODUCT_ID: 'p-elder',
    ONENET_API_TIMEOUT: '1s',
    HUB_OUTBOUND_ALLOW: '127.0.0.1',
  })
  const { site } = await hub.provision('call-button')
  const detector = await hub.create('/api/v1/devices', {
    type: 'smoke-detector',
    siteId: site.id,
    externalId: 'smoke-2401',
  })
  const send = async (deviceId: string, cmd: string) => {
    const res = await hub.api('POST', `/api/v1/devices/${deviceId}/commands`, { cmd }, hub.token)
    t.equal(res.status, 201)
    return res.body
  }
  const stateOf = (deviceId: string, id: string, want: string) =>
    until(hub, `/api/v1/devices/${deviceId}/commands`, (b: any) =>
      b.items.some((c: any) => c.id === id && c.state === want),
    ).then((b: any) => b.items.find((c: any) => c.id === id))

  await t.test('an accepted service call is the command delivered', async (t) => {
    const command = await send(detector.id, 'self-test')
    t.equal(platform.seen.length, 1, 'one call to the platform')
    const [call] = platform.seen
    t.equal(call!.url, '/api/thingmodel/call-service')
    t.equal(call!.headers.authorization, KEY, 'the API key as the authorization header')
    t.same(call!.body, {
      product_id: 'p-elder',
      device_name: 'smoke-2401',
      identifier: 'self-test',
      params: { id: command.id, ts: command.sentAt },
    })
    t.equal((await stateOf(detector.id, command.id, 'delivered')).state, 'delivered')
  })

  await t.test('a refusal, an HTTP error and no answer are the command failed, with why', async (t) => {
    platform.state.body = { code: 10410, msg: 'device not online' }
    const refused = await send(detector.id, 'silence')
    t.match(refused, { state: 'failed', result: { ok: false, detail: /code 10410 device not online/ } })

    platform.state.status = 503
    const down = await send(detector.id, 'silence')
    t.match(down, { state: 'failed', result: { detail: /HTTP 503/ } })

    platform.state.status = 200
    platform.state.body = { code: 0 }
    platform.state.delayMs = 3_000
    const silent = await send(detector.id, 'silence')
    t.match(silent, { state: 'failed', result: { detail: /no answer within 1000 ms/ } })
    platform.state.delayMs = 0
    t.equal((await stateOf(detector.id, silent.id, 'failed')).state, 'failed', 'recorded, not only answered')
  })

  await t.test('a device without an externalId still gets its command over MQTT', async (t) => {
    const mqttOnly = await hub.create('/api/v1/devices', { type: 'smoke-detector', siteId: site.id })
    const calls = platform.seen.length
    const command = await send(mqttOnly.id, 'self-test')
    t.equal(command.state, 'sent')
    t.equal(platform.seen.length, calls, 'the platform was not called')
  })
})

t.test('the OneNET API is an outbound target: a loopback URL not allowed is refused', async (t) => {
  const platform = await fakeOnenet(t)
  const hub = await startTestHub(t, {
    ONENET_API_URL: platform.url,
    ONENET_API_KEY: KEY,
    ONENET_PRODUCT_ID: 'p-elder',
    HUB_OUTBOUND_ALLOW: 'centre.example', // the fixture allows loopback by default
  })
  const { site } = await hub.provision('call-button')
  const d = await hub.create('/api/v1/devices', {
    type: 'smoke-detector',
    siteId: site.id,
    externalId: 'x-1',
  })
  const res = await hub.api('POST', `/api/v1/devices/${d.id}/commands`, { cmd: 'silence' }, hub.token)
  t.match(res.body, { state: 'failed', result: { detail: /refused: 127\.0\.0\.1 is a loopback/ } })
  t.equal(platform.seen.length, 0, 'nothing reached the receiver')
})
