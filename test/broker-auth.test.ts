import t from 'tap'
import { startTestHub } from './fixtures/hub.js'

// The external cluster's authentication and authorization endpoints, backed by the device secrets and the
// embedded broker's topic rules.

const TOKEN = 'cluster-token-0123456789'

t.test('EMQX-shaped auth and ACL: right secret, wrong secrets, foreign topics, the bearer', async (t) => {
  const h = await startTestHub(t, { HUB_BROKER_AUTH_TOKEN: TOKEN })
  const { device } = await h.provision('call-button')
  const other = (await h.provision('call-button')).device
  const call = (path: string, body: unknown, bearer = TOKEN) =>
    h.api('POST', `/api/v1/broker/${path}`, body, bearer)
  const auth = (username: string, password: string) =>
    call('auth', { clientid: `c-${username}`, username, password }).then((r) => r.body)
  const acl = (username: string, topic: string, action: string) =>
    call('acl', { clientid: `c-${username}`, username, topic, action }).then((r) => r.body)
  const own = (channel: string) => `eldercare/v1/devices/${device.id}/${channel}`

  t.same(await auth(device.id, device.secret), { result: 'allow' }, 'the right secret')
  t.same(await auth(device.id, other.secret), { result: 'deny' }, "another device's secret")
  t.same(await auth(device.id, `${device.secret}x`), { result: 'deny' }, 'a wrong secret')
  t.same(await auth(device.id, ''), { result: 'deny' }, 'no secret')
  t.same(await auth('dev_unknown', device.secret), { result: 'deny' }, 'an unknown device')

  for (const channel of ['events', 'telemetry', 'status']) {
    t.same(await acl(device.id, own(channel), 'publish'), { result: 'allow' }, `publish to its ${channel}`)
  }
  t.same(await acl(device.id, own('commands'), 'subscribe'), { result: 'allow' }, 'subscribe to its commands')
  t.same(await acl(device.id, own('commands'), 'publish'), { result: 'deny' }, 'no publishing commands')
  t.same(await acl(device.id, own('events'), 'subscribe'), { result: 'deny' }, 'no reading its own events')
  const foreign = `eldercare/v1/devices/${other.id}/events`
  t.same(await acl(device.id, foreign, 'publish'), { result: 'deny' }, "another device's topic")
  t.same(await acl(device.id, 'eldercare/v1/devices/+/events', 'subscribe'), { result: 'deny' }, 'a wildcard')
  t.same(await acl(device.id, 'anything/else', 'publish'), { result: 'deny' }, 'outside the device topics')

  // the hub's own sessions
  t.same(await auth('eldercare-hub', TOKEN), { result: 'allow', is_superuser: true }, 'the hub user')
  t.same(await auth('eldercare-hub', 'wrong-token-0123456789'), { result: 'deny' })
  t.same(await acl('eldercare-hub', '$share/hub/eldercare/v1/devices/+/events', 'subscribe'), {
    result: 'allow',
  })
  t.same(await acl('eldercare-hub', own('commands'), 'publish'), { result: 'allow' })
  t.same(
    await acl('eldercare-hub', own('events'), 'publish'),
    { result: 'deny' },
    'the hub does not fake devices',
  )

  // only the cluster may ask
  const none = await h.api('POST', '/api/v1/broker/auth', { username: device.id, password: device.secret })
  t.equal(none.status, 401, 'no bearer')
  const wrong = await call(
    'acl',
    { username: device.id, topic: own('events'), action: 'publish' },
    'x'.repeat(24),
  )
  t.equal(wrong.status, 401, 'a wrong bearer')
  const bad = await call('acl', { username: device.id, topic: own('events'), action: 'delete' })
  t.equal(bad.status, 400, 'an unknown action')

  // mosquitto-go-auth: no headers, its own answer shape and access numbers
  const goAuth = (path: string, body: unknown, token = TOKEN) =>
    h.api('POST', `/api/v1/broker/${path}?format=go-auth&token=${token}`, body).then((r) => r.body)
  t.same(await goAuth('auth', { username: device.id, password: device.secret, clientid: 'x' }), {
    ok: true,
    error: '',
  })
  t.same(await goAuth('auth', { username: device.id, password: 'nope', clientid: 'x' }), {
    ok: false,
    error: 'denied',
  })
  t.same(await goAuth('acl', { username: device.id, topic: own('events'), clientid: 'x', acc: 2 }), {
    ok: true,
    error: '',
  })
  t.same(await goAuth('acl', { username: device.id, topic: own('commands'), clientid: 'x', acc: 1 }), {
    ok: true,
    error: '',
  })
  t.same(await goAuth('acl', { username: device.id, topic: foreign, clientid: 'x', acc: 2 }), {
    ok: false,
    error: 'denied',
  })
  t.same(
    await goAuth('acl', { username: device.id, topic: own('commands'), clientid: 'x', acc: 3 }),
    { ok: false, error: 'denied' },
    'read-write on commands',
  )
  const noToken = await h.api('POST', '/api/v1/broker/auth?format=go-auth', {
    username: device.id,
    password: device.secret,
  })
  t.equal(noToken.status, 401)
})
