import pg from 'pg'
import t from 'tap'
import { hashPassword } from '../src/store/users.js'
import { startTestHub } from './fixtures/hub.js'

t.test('HTTP API conventions', async (t) => {
  const h = await startTestHub(t)
  const { api, token } = h

  await t.test('authentication', async (t) => {
    const none = await api('GET', '/api/v1/sites')
    t.equal(none.status, 401)
    t.equal(none.body.error, 'HUB_ERR_UNAUTHORIZED')
    t.equal((await api('GET', '/api/v1/sites', undefined, 'not-a-token')).status, 401)
    const forged = `${token.slice(0, -4)}AAAA`
    t.equal(
      (await api('GET', '/api/v1/sites', undefined, forged)).status,
      401,
      'a forged signature is refused',
    )
    const wrong = await api('POST', '/api/v1/auth/login', { username: 'admin', password: 'nope' })
    t.equal(wrong.status, 401)
    t.equal(wrong.body.error, 'HUB_ERR_BAD_CREDENTIALS')
    const unknown = await api('POST', '/api/v1/auth/login', { username: 'ghost', password: 'nope' })
    t.equal(unknown.body.error, 'HUB_ERR_BAD_CREDENTIALS', 'an unknown user gets the same answer')
    const login = await api('POST', '/api/v1/auth/login', {
      username: 'admin',
      password: 'test-admin-password',
    })
    t.ok(Date.parse(login.body.expiresAt) > Date.now() + 11 * 3_600_000, 'the default lifetime is 12 h')
    const me = await api('GET', '/api/v1/auth/me', undefined, token)
    t.same(me.body.username, 'admin')
  })

  await t.test('roles: an operator reads and handles alerts but does not provision', async (t) => {
    const db = new pg.Client({ connectionString: h.hub.databaseUrl })
    await db.connect()
    t.teardown(() => db.end())
    await db.query(
      "INSERT INTO users (id, username, password_hash, role) VALUES ('usr_op', 'operator1', $1, 'operator')",
      [await hashPassword('operator-password')],
    )
    const op = await h.login('operator1', 'operator-password')
    const denied = await api('POST', '/api/v1/sites', { kind: 'home', name: 'x', address: 'y' }, op)
    t.equal(denied.status, 403)
    t.equal(denied.body.error, 'HUB_ERR_FORBIDDEN')
    t.equal((await api('GET', '/api/v1/sites', undefined, op)).status, 200)
    t.equal((await api('GET', '/api/v1/alerts', undefined, op)).status, 200)
    await db.query("UPDATE users SET disabled = true WHERE id = 'usr_op'")
    t.equal(
      (await api('GET', '/api/v1/sites', undefined, op)).status,
      401,
      'a disabled user loses access at once',
    )
  })

  await t.test('validation errors name each bad field', async (t) => {
    const res = await api('POST', '/api/v1/sites', { kind: 'castle', name: '', lat: 200 }, token)
    t.equal(res.status, 400)
    t.equal(res.body.error, 'HUB_ERR_VALIDATION')
    const fields = res.body.details.map((d: { field: string }) => d.field).sort()
    t.same(fields, ['body.address', 'body.kind', 'body.lat', 'body.name'])
    const tz = await api(
      'POST',
      '/api/v1/sites',
      { kind: 'home', name: 'a', address: 'b', timezone: 'Mars/Base' },
      token,
    )
    t.equal(tz.body.details[0].field, 'body.timezone')
    const site = await h.create('/api/v1/sites', { kind: 'home', name: 'a', address: 'b' })
    const contact = await api(
      'POST',
      '/api/v1/residents',
      {
        siteId: site.id,
        name: 'r',
        abilityLevel: 9,
        contacts: [{ name: 'son', relation: 'son', email: 'nope' }],
      },
      token,
    )
    t.same(contact.body.details.map((d: { field: string }) => d.field).sort(), [
      'body.abilityLevel',
      'body.contacts.0.email',
    ])
    const notJson = await fetch(`${h.base}/api/v1/sites`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: '{oops',
    })
    t.equal(notJson.status, 400)
    t.equal((await notJson.json()).error, 'HUB_ERR_VALIDATION')
    const limit = await api('GET', '/api/v1/sites?limit=5000', undefined, token)
    t.equal(limit.status, 400)
    const cursor = await api('GET', '/api/v1/sites?cursor=garbage', undefined, token)
    t.equal(cursor.status, 400)
  })

  await t.test('unknown ids, whatever their form, are 404; unknown references 400; in-use 409', async (t) => {
    for (const id of ['site_nothere', '1', '00000000-0000-0000-0000-000000000000', "x'; drop table sites"]) {
      const res = await api('GET', `/api/v1/sites/${encodeURIComponent(id)}`, undefined, token)
      t.equal(res.status, 404, id)
      t.equal(res.body.error, 'HUB_ERR_NOT_FOUND')
    }
    t.equal((await api('GET', '/api/v1/alerts/alr_x', undefined, token)).status, 404)
    t.equal((await api('POST', '/api/v1/alerts/alr_x/ack', {}, token)).status, 404)
    t.equal((await api('GET', '/api/v1/nothing', undefined, token)).body.error, 'HUB_ERR_NOT_FOUND')
    const ref = await api(
      'POST',
      '/api/v1/residents',
      { siteId: 'site_none', name: 'r', abilityLevel: 1 },
      token,
    )
    t.equal(ref.status, 400)
    t.equal(ref.body.error, 'HUB_ERR_UNKNOWN_REFERENCE')
    const { site } = await h.provision()
    const inUse = await api('DELETE', `/api/v1/sites/${site.id}`, undefined, token)
    t.equal(inUse.status, 409)
    t.equal(inUse.body.error, 'HUB_ERR_IN_USE')
  })

  await t.test('provisioning: create, get, patch, list with filters and paging, delete', async (t) => {
    const site = await h.create('/api/v1/sites', {
      kind: 'institution',
      name: 'Sunshine Care Home',
      address: '8 Garden Rd',
      lat: 31.2,
      lon: 121.5,
      timezone: 'Asia/Shanghai',
    })
    t.match(site, { kind: 'institution', name: 'Sunshine Care Home', lat: 31.2, timezone: 'Asia/Shanghai' })
    const resident = await h.create('/api/v1/residents', {
      siteId: site.id,
      name: 'Wang',
      abilityLevel: 4,
      livesAlone: true,
      conditions: ['dementia'],
      birthDate: '1941-02-28',
      contacts: [{ name: 'Wang Jr', relation: 'son', phone: '+86 138 0000 0000', language: 'zh-CN' }],
    })
    t.same(resident.contacts[0].name, 'Wang Jr')
    t.equal(resident.birthDate, '1941-02-28', 'the birth date as it was given, whatever the time zone')
    const created = await api(
      'POST',
      '/api/v1/devices',
      {
        type: 'smoke-detector',
        siteId: site.id,
        location: { building: 'A', floor: '3', zone: '1', room: '301' },
      },
      token,
    )
    t.equal(created.status, 201)
    t.ok(created.body.secret.length >= 22, 'a secret of at least 128 bits is returned once')
    const fetched = await api('GET', `/api/v1/devices/${created.body.id}`, undefined, token)
    t.notOk('secret' in fetched.body, 'the secret is never returned again')
    t.match(fetched.body, { online: false, lastSeen: null, battery: null, location: { building: 'A' } })

    const patched = await api('PATCH', `/api/v1/residents/${resident.id}`, { abilityLevel: 3 }, token)
    t.equal(patched.body.abilityLevel, 3)
    t.equal(patched.body.name, 'Wang')
    t.equal((await api('PATCH', `/api/v1/residents/${resident.id}`, { bogus: 1 }, token)).status, 400)
    t.equal(
      (await api('GET', `/api/v1/residents/${resident.id}`, undefined, token)).body.birthDate,
      '1941-02-28',
    )
    const nextYear = `${new Date().getUTCFullYear() + 1}-06-01`
    for (const birthDate of [nextYear, '1899-12-31', '1950-02-30', '12/03/1950', 19500101]) {
      const bad = await api('PATCH', `/api/v1/residents/${resident.id}`, { birthDate }, token)
      t.equal(bad.status, 400, `birthDate ${birthDate} is refused`)
      t.equal(bad.body.details?.[0]?.field, 'body.birthDate')
    }
    const cleared = await api('PATCH', `/api/v1/residents/${resident.id}`, { birthDate: null }, token)
    t.equal(cleared.body.birthDate, null, 'null clears it')
    const bare = await h.create('/api/v1/residents', { siteId: site.id, name: 'Li', abilityLevel: 1 })
    t.equal(bare.birthDate, null, 'optional')

    for (let i = 0; i < 4; i++)
      await h.create('/api/v1/sites', { kind: 'home', name: `home ${i}`, address: 'x' })
    const seen: string[] = []
    let cursor: string | undefined
    do {
      const res = await api(
        'GET',
        `/api/v1/sites?kind=home&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        undefined,
        token,
      )
      t.ok(res.body.items.length <= 2)
      seen.push(...res.body.items.map((s: { id: string; kind: string }) => s.kind))
      cursor = res.body.nextCursor
    } while (cursor)
    t.ok(seen.length >= 4 && seen.every((k) => k === 'home'), 'paging walks every home and only homes')
    const bySite = await api('GET', `/api/v1/devices?siteId=${site.id}`, undefined, token)
    t.same(
      bySite.body.items.map((d: { id: string }) => d.id),
      [created.body.id],
    )

    const del = await api('DELETE', `/api/v1/devices/${created.body.id}`, undefined, token)
    t.equal(del.status, 200)
    t.equal((await api('GET', `/api/v1/devices/${created.body.id}`, undefined, token)).status, 404)
  })

  await t.test('a rotated device secret replaces the old one', async (t) => {
    const { device } = await h.provision()
    const rotated = await api('POST', `/api/v1/devices/${device.id}/secret`, undefined, token)
    t.equal(rotated.status, 200)
    t.not(rotated.body.secret, device.secret)
    await t.rejects(h.connectDevice(device), 'the old secret is refused')
    const d = await h.connectDevice({ id: device.id, secret: rotated.body.secret })
    t.ok(d.client.connected)
  })

  await t.test('health, metrics and OpenAPI', async (t) => {
    const health = await api('GET', '/healthz')
    t.same(health.body, { status: 'ok', broker: true, database: true })
    const metrics = await fetch(`${h.base}/metrics`).then((r) => r.text())
    t.match(metrics, /hub_ingest_messages_total/)
    t.match(metrics, /process_cpu_seconds_total/)
    const doc = await api('GET', '/docs/json')
    for (const path of [
      '/api/v1/auth/login',
      '/api/v1/sites',
      '/api/v1/alerts/{id}/ack',
      '/api/v1/devices/{id}/readings',
    ]) {
      t.ok(doc.body.paths[path], `OpenAPI documents ${path}`)
    }
  })
})
