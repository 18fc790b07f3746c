// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
import pg from 'pg'
import t from 'tap'
import { startTestHub } from './fixtures/hub.js'
import { openLive } from './fixtures/live.js'
import { addUser } from './fixtures/people.js'

// What the narrow roles see, on the API and on the live feed: a district fire-safety centre the fire alerts of
// its district's institutions and nothing it could change; a family its relative's alerts, how each was
// handled (not the care team's notes), and nothing else; an institution's API key its own sites.

const ids = async (h: any, path: string, token: string) =>
  (await h.api('GET', path, undefined, token)).body.items.map((x: any) => x.id)

t.test('county-centre, family and API-key scopes', async (t) => {
  const h = await startTestHub(t)
  const { api } = h
  const district = 'Xihu'
  const near = await h.provision('smoke-detector', { kind: 'institution' })
  const far = await h.provision('smoke-detector', { kind: 'institution' })
  await api('PATCH', `/api/v1/sites/${near.site.id}`, { district }, h.token)
  await api('PATCH', `/api/v1/sites/${far.site.id}`, { district: 'Elsewhere' }, h.token)
  const button = await h.create('/api/v1/devices', {
    type: 'call-button',
    siteId: near.site.id,
    residentId: near.resident.id,
  })
  const centre = await addUser(h, 'county-centre', { district })
  const staffFar = await addUser(h, 'staff', { siteIds: [far.site.id] })
  const staffNear = await addUser(h, 'staff', { siteIds: [near.site.id] })

  // a family member joins by the care team's link
  const invite = await api(
    'POST',
    `/api/v1/residents/${near.resident.id}/family-invites`,
    undefined,
    staffNear.token,
  )
  t.equal(invite.status, 201, 'staff of the resident’s site invite a family member')
  t.match(invite.body.url, /\/join\?invite=hubinv_/)
  t.equal(
    (await api('POST', `/api/v1/residents/${near.resident.id}/family-invites`, undefined, staffFar.token))
      .status,
    404,
    "another site's staff cannot invite for this resident",
  )
  const joinBody = { invite: invite.body.invite, username: 'wang.qiang', password: 'my mother 1942' }
  const joined = await api('POST', '/api/v1/auth/join', joinBody)
  t.equal(joined.status, 201, 'the family member joins')
  t.same([joined.body.user.role, joined.body.user.residentIds], ['family', [near.resident.id]])
  const again = await api('POST', '/api/v1/auth/join', { ...joinBody, username: 'someone.else' })
  t.same([again.status, again.body.error], [409, 'HUB_ERR_CONFLICT'], 'an invitation works once')
  const forged = await api('POST', '/api/v1/auth/join', {
    ...joinBody,
    invite: `${invite.body.invite.split('.')[0]}.${'x'.repeat(43)}`,
  })
  t.equal(forged.status, 404, 'a forged secret is no invitation')
  const family = joined.body.token

  // institution API key for the far site, shown once, stored hashed
  const key = await api(
    'POST',
    '/api/v1/api-keys',
    { kind: 'institution', name: 'far BMS', siteIds: [far.site.id] },
    h.token,
  )
  t.equal(key.status, 201)
  t.match(key.body.key, /^hubk_key_/)
  const listed = await api('GET', '/api/v1/api-keys', undefined, h.token)
  t.notOk('key' in listed.body.items[0], 'the key is shown in the create answer only')
  const db = new pg.Client({ connectionString: h.hub.databaseUrl })
  await db.connect()
  t.teardown(() => db.end())
  const stored = JSON.stringify((await db.query('SELECT * FROM api_keys')).rows)
  t.notOk(stored.includes(key.body.key.split('.')[1]), 'only a hash of the secret is kept')

  const centreFeed = await openLive(t, h.hub.httpPort, centre.token)
  const familyFeed = await openLive(t, h.hub.httpPort, family)
  const adminFeed = await h.live()

  // in seq order: the far fire, the near SOS, then the near fire; each narrow feed must skip what is not its own
  await (await h.connectDevice(far.device)).event('smoke', { obscuration: 4.2 })
  const farFire = await adminFeed.waitFor(
    (m) => m.kind === 'alert.opened' && m.data.siteId === far.site.id && m.data.type === 'smoke',
  )
  await (await h.connectDevice(button)).event('sos')
  const sos = await adminFeed.waitFor((m) => m.kind === 'alert.opened' && m.data.type === 'sos')
  await (await h.connectDevice(near.device)).event('smoke', { obscuration: 4.2 })
  const nearFire = await adminFeed.waitFor(
    (m) => m.kind === 'alert.opened' && m.data.siteId === near.site.id && m.data.type === 'smoke',
  )
  await api('POST', `/api/v1/alerts/${sos.data.id}/ack`, { note: 'bed 12, carer on the way' }, h.token)

  await t.test('county-centre: its district’s fire state, read-only', async (t) => {
    const first = await centreFeed.waitFor((m) => m.kind === 'alert.opened')
    t.equal(first.data.id, nearFire.data.id, 'its feed skips the other district and the SOS')
    t.ok(
      centreFeed.messages.every(
        (m) => m.kind.startsWith('alert.') && m.data.alertClass === 'fire' && m.data.siteId === near.site.id,
      ),
    )
    t.same(await ids(h, '/api/v1/sites', centre.token), [near.site.id], 'the institutions of its district')
    t.same(
      await ids(h, '/api/v1/alerts', centre.token),
      [nearFire.data.id],
      'fire alerts of its district only',
    )
    t.equal((await api('GET', `/api/v1/alerts/${sos.data.id}`, undefined, centre.token)).status, 404)
    t.equal((await api('GET', `/api/v1/alerts/${farFire.data.id}`, undefined, centre.token)).status, 404)
    t.equal(
      (await api('GET', `/api/v1/sites/${near.site.id}/detectors`, undefined, centre.token)).status,
      200,
    )
    t.equal((await api('GET', `/api/v1/sites/${far.site.id}/detectors`, undefined, centre.token)).status, 404)
    t.equal(
      (await api('POST', `/api/v1/alerts/${nearFire.data.id}/ack`, {}, centre.token)).status,
      403,
      'read-only',
    )
    t.equal((await api('GET', '/api/v1/residents', undefined, centre.token)).status, 403)
  })

  await t.test('family: its relative’s alerts and how each was handled, nothing else', async (t) => {
    const mine = await familyFeed.waitFor(
      (m) => m.kind === 'alert.updated' && m.data.state === 'acknowledged',
    )
    t.equal(mine.data.id, sos.data.id)
    t.ok(
      familyFeed.messages.every((m) => m.kind.startsWith('alert.') && m.data.residentId === near.resident.id),
      'only its relative’s alerts',
    )
    t.ok(
      familyFeed.messages.every((m) => m.data.history.every((e: any) => e.note === null)),
      'no notes on the feed',
    )
    // the detector in its relative's room is its relative's too; the other district's fire is not
    t.same(await ids(h, '/api/v1/alerts', family), [nearFire.data.id, sos.data.id])
    const one = await api('GET', `/api/v1/alerts/${sos.data.id}`, undefined, family)
    t.equal(one.body.acknowledgedBy, 'admin', 'who took it')
    t.notOk(JSON.stringify(one.body).includes('bed 12'), "the care team's notes are not shown")
    t.equal(
      (await api('GET', `/api/v1/alerts/${farFire.data.id}`, undefined, family)).status,
      404,
      'another resident’s alert',
    )
    for (const path of [
      '/api/v1/sites',
      `/api/v1/residents/${near.resident.id}`,
      '/api/v1/devices',
      `/api/v1/alerts/${sos.data.id}/notifications`,
      '/api/v1/stats/alerts',
    ]) {
      t.equal((await api('GET', path, undefined, family)).status, 403, `${path} is not the family's`)
    }
  })

  await t.test('an institution API key: its sites, revoked at once', async (t) => {
    t.same(await ids(h, '/api/v1/sites', key.body.key), [far.site.id])
    t.same(await ids(h, '/api/v1/alerts?type=smoke', key.body.key), [farFire.data.id])
    const acked = await api('POST', `/api/v1/alerts/${farFire.data.id}/ack`, {}, key.body.key)
    t.same([acked.status, acked.body.acknowledgedBy], [200, 'key:far BMS'], 'it acts, named as the key')
    t.equal(
      (await api('POST', '/api/v1/auth/logout', undefined, key.body.key)).status,
      403,
      'a key has no account',
    )
    const keyFeed = await openLive(t, h.hub.httpPort, key.body.key)
    t.equal((await api('DELETE', `/api/v1/api-keys/${key.body.id}`, undefined, h.token)).status, 200)
    t.equal(
      (await api('GET', '/api/v1/sites', undefined, key.body.key)).status,
      401,
      'a revoked key is refused',
    )
    await keyFeed.waitForClose()
    t.equal(keyFeed.closeCode, 4401, 'its live feed is closed')
  })
})
