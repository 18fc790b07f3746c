// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
import { request } from 'node:https'
import mqtt from 'mqtt'
import t from 'tap'
import WebSocket from 'ws'
import { loadConfig } from '../src/config.js'
import { deviceTopic } from '../src/contract/topics.js'
import { ADMIN_PASSWORD } from './fixtures/hub.js'
import { LiveRecorder } from './fixtures/live.js'
import { connectClient, within } from './fixtures/mqtt.js'
import { startTlsHub } from './fixtures/tls-hub.js'

// Transport security (issue 13, "Transport"): with HUB_TLS_CERT and HUB_TLS_KEY the API, the console, the
// live feed and MQTT over WebSocket are served over HTTPS/WSS, MQTT over TLS listens on MQTTS_PORT, HSTS is
// sent, and a client that does not trust the CA gets nowhere. The CA is made in the test.

t.test('HTTPS, WSS and MQTT over TLS with a configured certificate', async (t) => {
  const { hub, ca } = await startTlsHub(t)
  t.ok(hub.mqttTlsPort, 'an MQTTS listener')

  /** A JSON request over HTTPS trusting (or not) the test CA. */
  const api = (method: string, path: string, body?: unknown, token?: string, trust = true) =>
    new Promise<{ status: number; headers: Record<string, unknown>; body: any }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: hub.httpPort,
          path,
          method,
          ...(trust ? { ca } : {}),
          headers: {
            ...(body !== undefined && { 'content-type': 'application/json' }),
            ...(token && { authorization: `Bearer ${token}` }),
          },
        },
        (res) => {
          let text = ''
          res.setEncoding('utf8')
          res.on('data', (c) => {
            text += c
          })
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: res.headers['content-type']?.includes('json') ? JSON.parse(text) : text,
            }),
          )
        },
      )
      req.on('error', reject)
      req.end(body === undefined ? undefined : JSON.stringify(body))
    })

  await t.test('the API answers over HTTPS with HSTS; an untrusting client is refused', async (t) => {
    const health = await api('GET', '/healthz')
    t.equal(health.status, 200)
    t.match(health.headers['strict-transport-security'], /max-age=31536000/)
    t.match(health.headers['content-security-policy'], /upgrade-insecure-requests/)
    const err = await api('GET', '/healthz', undefined, undefined, false).then(
      () => null,
      (e: Error & { code?: string }) => e,
    )
    t.match(err?.code, /SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/, 'the certificate is checked')
  })

  await t.test('a device over MQTTS and over WSS raises an alarm seen on the WSS live feed', async (t) => {
    const login = await api('POST', '/api/v1/auth/login', { username: 'admin', password: ADMIN_PASSWORD })
    t.equal(login.status, 200)
    const token = login.body.token as string
    const site = await api('POST', '/api/v1/sites', { kind: 'home', name: 'TLS', address: '1 Road' }, token)
    const make = () => api('POST', '/api/v1/devices', { type: 'call-button', siteId: site.body.id }, token)
    const [a, b] = [(await make()).body, (await make()).body]

    const ws = new WebSocket(`wss://127.0.0.1:${hub.httpPort}/api/v1/live?token=${token}`, { ca })
    t.teardown(() => ws.terminate())
    const feed = new LiveRecorder(ws)
    await new Promise((resolve, reject) => {
      ws.once('open', resolve)
      ws.once('error', reject)
    })

    const sos = (id: string) => JSON.stringify({ id, ts: new Date().toISOString(), type: 'sos' })
    const overTls = await connectClient(t, `mqtts://127.0.0.1:${hub.mqttTlsPort}`, {
      username: a.id,
      password: a.secret,
      clientId: `tls-${a.id}`,
      ca,
    })
    await overTls.client.publishAsync(deviceTopic(a.id, 'events'), sos('tls-1'), { qos: 1 })
    await feed.waitFor((m) => m.kind === 'alert.opened' && m.data.deviceId === a.id)

    const overWss = await connectClient(t, `wss://127.0.0.1:${hub.httpPort}/mqtt`, {
      username: b.id,
      password: b.secret,
      clientId: `wss-${b.id}`,
      ca,
    })
    await overWss.client.publishAsync(deviceTopic(b.id, 'events'), sos('wss-1'), { qos: 1 })
    await feed.waitFor((m) => m.kind === 'alert.opened' && m.data.deviceId === b.id)

    const untrusting = mqtt.connect(`mqtts://127.0.0.1:${hub.mqttTlsPort}`, {
      username: a.id,
      password: a.secret,
      reconnectPeriod: 0,
      connectTimeout: 5_000,
    })
    t.teardown(() => untrusting.end(true))
    const refused = await within(
      new Promise<Error>((resolve) => untrusting.once('error', resolve)),
      10_000,
      'the untrusting client fails',
    )
    t.match((refused as Error & { code?: string }).code, /SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/)
  })
})

t.test('HUB_TLS_CERT without HUB_TLS_KEY is a configuration error', async (t) => {
  t.throws(() => loadConfig({ HUB_TLS_CERT: '/x.pem' }), /set both/)
})
