import t from 'tap'
import { dbClient } from './fixtures/db.js'
import { startTestHub } from './fixtures/hub.js'
import { addUser } from './fixtures/people.js'

t.test('users API', async (t) => {
  const h = await startTestHub(t)
  const { api, token } = h
  const site = await h.create('/api/v1/sites', { kind: 'institution', name: 'Care home', address: '1 Rd' })

  await t.test('create with contact fields; secrets and hashes never come back', async (t) => {
    const res = await api(
      'POST',
      '/api/v1/users',
      {
        username: 'duty.li',
        password: 'long-enough',
        role: 'staff',
        name: 'Li Na',
        phone: '+86 138 0000 0001',
        email: 'li@example.org',
        webhook: 'https://example.org/hook',
        webhookSecret: 'hook-secret-123',
        language: 'en',
        siteIds: [site.id],
      },
      token,
    )
    t.equal(res.status, 201)
    t.match(res.body, {
      username: 'duty.li',
      role: 'staff',
      disabled: false,
      name: 'Li Na',
      phone: '+86 138 0000 0001',
      email: 'li@example.org',
      webhook: 'https://example.org/hook',
      language: 'en',
      siteIds: [site.id],
    })
    const fetched = await api('GET', `/api/v1/users/${res.body.id}`, undefined, token)
    t.same(fetched.body, res.body)
    for (const body of [res.body, fetched.body]) {
      t.notOk('webhookSecret' in body || 'passwordHash' in body || 'password' in body, 'no secrets')
    }
    t.notMatch(JSON.stringify(fetched.body), /hook-secret-123|scrypt/)
    const op = await addUser(h, 'operator')
    t.equal(op.user.language, 'zh-CN', 'language defaults to zh-CN')
    const me = await api('GET', '/api/v1/auth/me', undefined, await h.login('duty.li', 'long-enough'))
    t.match(me.body, {
      id: res.body.id,
      role: 'staff',
      siteIds: [site.id],
      name: 'Li Na',
      email: 'li@example.org',
    })
    t.notOk('webhookSecret' in me.body)
    const dup = await api(
      'POST',
      '/api/v1/users',
      { username: 'duty.li', password: 'x'.repeat(8), role: 'operator' },
      token,
    )
    t.equal(dup.status, 409)
    t.equal(dup.body.error, 'HUB_ERR_ALREADY_EXISTS')
  })

  await t.test('validation names the field; staff need an existing site', async (t) => {
    const bad = await api(
      'POST',
      '/api/v1/users',
      { username: 'a', password: 'short', role: 'janitor', email: 'nope', language: 'fr' },
      token,
    )
    t.equal(bad.status, 400)
    t.same(bad.body.details.map((d: { field: string }) => d.field).sort(), [
      'body.email',
      'body.language',
      'body.password',
      'body.role',
    ])
    const noSite = await api(
      'POST',
      '/api/v1/users',
      { username: 's1', password: 'night-desk-7', role: 'staff' },
      token,
    )
    t.equal(noSite.status, 400)
    t.equal(noSite.body.details[0].field, 'body.siteIds')
    const unknown = await api(
      'POST',
      '/api/v1/users',
      { username: 's2', password: 'night-desk-7', role: 'staff', siteIds: [site.id, 'site_nope'] },
      token,
    )
    t.equal(unknown.status, 400)
    t.equal(unknown.body.error, 'HUB_ERR_UNKNOWN_REFERENCE')
    t.same(unknown.body.details, [{ field: 'body.siteIds.1', message: 'no site with id site_nope' }])
    const op = await addUser(h, 'operator')
    const toStaff = await api('PATCH', `/api/v1/users/${op.user.id}`, { role: 'staff' }, token)
    t.equal(toStaff.status, 400, 'becoming staff without sites is refused')
    t.equal((await api('PATCH', `/api/v1/users/${op.user.id}`, { username: 'x' }, token)).status, 400)
    t.equal((await api('GET', '/api/v1/users/usr_nope', undefined, token)).status, 404)
    t.equal((await api('PATCH', '/api/v1/users/usr_nope', { name: 'x' }, token)).status, 404)
  })

  await t.test('list with filters and paging', async (t) => {
    const other = await h.create('/api/v1/sites', { kind: 'home', name: 'Home', address: '2 Rd' })
    const a = await addUser(h, 'staff', { siteIds: [other.id] })
    const b = await addUser(h, 'supervisor', { siteIds: [other.id, site.id] })
    await addUser(h, 'supervisor')
    const bySite = await api('GET', `/api/v1/users?siteId=${other.id}`, undefined, token)
    t.same(
      bySite.body.items.map((u: { id: string }) => u.id),
      [a.user.id, b.user.id],
    )
    const sup = await api('GET', `/api/v1/users?role=supervisor&siteId=${other.id}`, undefined, token)
    t.same(
      sup.body.items.map((u: { id: string }) => u.id),
      [b.user.id],
    )
    await api('PATCH', `/api/v1/users/${a.user.id}`, { disabled: true }, token)
    const disabled = await api('GET', '/api/v1/users?disabled=true', undefined, token)
    t.same(
      disabled.body.items.map((u: { id: string }) => u.id),
      [a.user.id],
    )
    const all = await api('GET', '/api/v1/users?disabled=false', undefined, token)
    t.notOk(all.body.items.some((u: { id: string }) => u.id === a.user.id))
    const seen: string[] = []
    let cursor: string | undefined
    do {
      const res = await api(
        'GET',
        `/api/v1/users?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        undefined,
        token,
      )
      t.ok(res.body.items.length <= 2)
      seen.push(...res.body.items.map((u: { id: string }) => u.id))
      cursor = res.body.nextCursor
    } while (cursor)
    t.equal(new Set(seen).size, seen.length, 'no user twice')
    t.ok(seen.includes(a.user.id) && seen.includes(b.user.id), 'paging walks every user')
  })

  await t.test('role change, contact change, password change, disable and enable', async (t) => {
    const u = await addUser(h, 'operator', { phone: '+8613800000002' })
    const changed = await api(
      'PATCH',
      `/api/v1/users/${u.user.id}`,
      { role: 'staff', siteIds: [site.id], phone: null, email: 'op@example.org' },
      token,
    )
    t.equal(changed.status, 200)
    t.match(changed.body, { role: 'staff', siteIds: [site.id], phone: null, email: 'op@example.org' })
    t.equal(
      (await api('GET', '/api/v1/auth/me', undefined, u.token)).body.role,
      'staff',
      'the token sees it at once',
    )

    await api('PATCH', `/api/v1/users/${u.user.id}`, { password: 'a-new-password' }, token)
    const old = await api('POST', '/api/v1/auth/login', { username: u.username, password: u.password })
    t.equal(old.status, 401, 'the old password no longer works')
    const fresh = await h.login(u.username, 'a-new-password')

    const off = await api('PATCH', `/api/v1/users/${u.user.id}`, { disabled: true }, token)
    t.equal(off.body.disabled, true)
    t.equal(
      (await api('GET', '/api/v1/sites', undefined, fresh)).status,
      401,
      'its token stops working at once',
    )
    const login = await api('POST', '/api/v1/auth/login', {
      username: u.username,
      password: 'a-new-password',
    })
    t.equal(login.status, 401, 'a disabled user cannot log in')
    await api('PATCH', `/api/v1/users/${u.user.id}`, { disabled: false }, token)
    t.equal((await api('GET', '/api/v1/sites', undefined, fresh)).status, 401, 'enabling does not revive it')
    const again = await h.login(u.username, 'a-new-password')
    t.equal(
      (await api('GET', '/api/v1/sites', undefined, again)).status,
      200,
      'enabled again: a new login works',
    )
  })

  await t.test('who may read and write users', async (t) => {
    const sup = await addUser(h, 'supervisor')
    const op = await addUser(h, 'operator')
    const staff = await addUser(h, 'staff', { siteIds: [site.id] })
    t.equal((await api('GET', '/api/v1/users', undefined, sup.token)).status, 200, 'supervisors read')
    t.equal((await api('GET', `/api/v1/users/${op.user.id}`, undefined, sup.token)).status, 200)
    const body = { username: 'nobody', password: 'night-desk-7', role: 'admin' }
    for (const who of [sup, op, staff]) {
      const denied = await api('POST', '/api/v1/users', body, who.token)
      t.equal(denied.status, 403, `${who.user.role} may not create users`)
      t.equal(denied.body.error, 'HUB_ERR_FORBIDDEN')
      t.equal((await api('PATCH', `/api/v1/users/${who.user.id}`, { role: 'admin' }, who.token)).status, 403)
    }
    for (const who of [op, staff]) {
      t.equal(
        (await api('GET', '/api/v1/users', undefined, who.token)).status,
        403,
        `${who.user.role} may not list`,
      )
    }
    t.equal((await api('GET', '/api/v1/users')).status, 401)
  })

  await t.test('the last enabled admin cannot be disabled or demoted', async (t) => {
    const db = await dbClient(t, h.hub.databaseUrl)
    const { rows } = await db.query("SELECT id FROM users WHERE username = 'admin'")
    const adminId = rows[0].id
    for (const change of [{ disabled: true }, { role: 'operator' }]) {
      const res = await api('PATCH', `/api/v1/users/${adminId}`, change, token)
      t.equal(res.status, 409, JSON.stringify(change))
      t.equal(res.body.error, 'HUB_ERR_LAST_ADMIN')
    }
    t.equal((await api('PATCH', `/api/v1/users/${adminId}`, { name: 'Root' }, token)).status, 200)
    // Two admins disable each other at once; each change alone would pass. Hold the admins' row locks so both
    // requests are past authentication and waiting in their transactions, then let them race.
    const second = await addUser(h, 'admin')
    const holder = await dbClient(t, h.hub.databaseUrl)
    await holder.query('BEGIN')
    await holder.query("SELECT id FROM users WHERE role = 'admin' FOR UPDATE")
    const racing = Promise.all([
      api('PATCH', `/api/v1/users/${adminId}`, { disabled: true }, second.token),
      api('PATCH', `/api/v1/users/${second.user.id}`, { disabled: true }, token),
    ])
    for (let i = 0; i < 400; i++) {
      const waiting = await db.query(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'eldercare-hub' AND wait_event_type = 'Lock'",
      )
      if (waiting.rows[0].n >= 2) break
      await new Promise((r) => setTimeout(r, 50))
    }
    await holder.query('COMMIT')
    const results = await racing
    t.same(results.map((r) => r.status).sort(), [200, 409], 'exactly one of the two succeeds')
    const left = await db.query("SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND NOT disabled")
    t.equal(left.rows[0].n, 1, 'one enabled admin remains')
  })
})
