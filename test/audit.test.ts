// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
import t from 'tap'
import { dbClient } from './fixtures/db.js'
import { startTestHub } from './fixtures/hub.js'
import { addUser } from './fixtures/people.js'

// The access audit: actions and resident reads are recorded with who, what, when and from where; the table
// refuses changes whatever the client; admins query it, page it and export it.

t.test('audit', async (t) => {
  const h = await startTestHub(t)
  const db = await dbClient(t, h.hub.databaseUrl)
  const operator = await addUser(h, 'operator')
  const site = await h.create('/api/v1/sites', { kind: 'home', name: 'Audit home', address: '1 Road' })
  const resident = await h.create('/api/v1/residents', { siteId: site.id, name: 'Zhao Min', abilityLevel: 1 })

  /** The audit rows matching `query`, waiting (bounded) for `count` of them: rows are written after the answer. */
  async function audit(query: string, count: number) {
    for (let i = 0; i < 50; i++) {
      const res = await h.api('GET', `/api/v1/audit?${query}`, undefined, h.token)
      if (res.status !== 200) throw new Error(JSON.stringify(res.body))
      if (res.body.items.length >= count) return res.body.items
      await new Promise((r) => setTimeout(r, 100))
    }
    throw new Error(`fewer than ${count} audit rows for ${query}`)
  }

  await t.test('an admin action: who, what, from where, the object created', async (t) => {
    const [row] = await audit(`targetId=${resident.id}&method=POST`, 1)
    t.match(row, {
      username: 'admin',
      role: 'admin',
      ip: '127.0.0.1',
      method: 'POST',
      route: '/api/v1/residents',
      action: 'POST /residents',
      targetType: 'residents',
      residentId: resident.id,
      status: 201,
    })
    t.ok(Math.abs(Date.parse(row.at) - Date.now()) < 60_000, 'stamped now')
  })

  await t.test("reads of a resident's record are recorded, other reads are not", async (t) => {
    t.equal((await h.api('GET', `/api/v1/residents/${resident.id}`, undefined, operator.token)).status, 200)
    t.equal(
      (await h.api('GET', `/api/v1/residents/${resident.id}/visits`, undefined, operator.token)).status,
      200,
    )
    t.equal((await h.api('GET', '/api/v1/sites', undefined, operator.token)).status, 200)
    const rows = await audit(`userId=${operator.user.id}&method=GET`, 2)
    t.same(rows.map((r: any) => r.action).sort(), ['GET /residents/:id', 'GET /residents/:id/visits'])
    t.ok(rows.every((r: any) => r.residentId === resident.id && r.username === operator.username))
  })

  await t.test('refused actions and failed logins are recorded, passwords never', async (t) => {
    const refused = await h.api('PATCH', `/api/v1/residents/${resident.id}`, { name: 'X' }, operator.token)
    t.equal(refused.status, 403)
    const [row] = await audit(`userId=${operator.user.id}&method=PATCH`, 1)
    t.match(row, { action: 'PATCH /residents/:id', targetId: resident.id, status: 403 })
    const secret = 'not-the-password-4711'
    t.equal((await h.api('POST', '/api/v1/auth/login', { username: 'admin', password: secret })).status, 401)
    const logins = await audit('action=POST%20/auth/login&username=admin', 2)
    t.same(logins.map((r: any) => r.status).sort(), [200, 401])
    const { rows: leaked } = await db.query(
      'SELECT count(*)::int AS n FROM audit_log WHERE audit_log::text LIKE $1',
      [`%${secret}%`],
    )
    t.equal(leaked[0].n, 0)
  })

  await t.test('an alert acknowledgement is recorded against the alert', async (t) => {
    const device = await h.create('/api/v1/devices', {
      type: 'call-button',
      siteId: site.id,
      residentId: resident.id,
    })
    const button = await h.connectDevice(device)
    const feed = await h.live()
    await button.event('sos')
    const opened = await feed.waitFor((m) => m.kind === 'alert.opened')
    t.equal((await h.api('POST', `/api/v1/alerts/${opened.data.id}/ack`, {}, operator.token)).status, 200)
    const [row] = await audit(`targetId=${opened.data.id}`, 1)
    t.match(row, {
      username: operator.username,
      action: 'POST /alerts/:id/ack',
      targetType: 'alerts',
      status: 200,
    })
  })

  await t.test('append-only: the database refuses UPDATE, DELETE and TRUNCATE', async (t) => {
    await t.rejects(db.query(`UPDATE audit_log SET username = 'someone-else'`), /append-only/)
    await t.rejects(db.query('DELETE FROM audit_log'), /append-only/)
    await t.rejects(db.query('TRUNCATE audit_log'), /append-only/)
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM audit_log WHERE username = 'admin'`)
    t.ok(rows[0].n > 0)
  })

  await t.test('admins only; paged newest first; CSV', async (t) => {
    t.equal((await h.api('GET', '/api/v1/audit', undefined, operator.token)).status, 403)
    const first = await h.api('GET', '/api/v1/audit?limit=2', undefined, h.token)
    t.equal(first.body.items.length, 2)
    t.ok(first.body.items[0].id > first.body.items[1].id, 'newest first')
    const second = await h.api(
      'GET',
      `/api/v1/audit?limit=2&cursor=${first.body.nextCursor}`,
      undefined,
      h.token,
    )
    t.ok(second.body.items[0].id < first.body.items[1].id)
    const res = await fetch(`${h.base}/api/v1/audit?format=csv&residentId=${resident.id}`, {
      headers: { authorization: `Bearer ${h.token}` },
    })
    t.match(res.headers.get('content-type'), /text\/csv/)
    const lines = (await res.text())
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n')
    t.equal(lines[0], 'id,at,userId,username,role,ip,method,action,targetType,targetId,residentId,status')
    t.ok(lines.length >= 4)
    t.ok(lines.slice(1).every((l) => l.includes(resident.id)))
    t.equal((await h.api('GET', '/api/v1/audit?method=FETCH', undefined, h.token)).status, 400)
  })
})
