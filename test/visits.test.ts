// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
import t from 'tap'
import { dbClient } from './fixtures/db.js'
import { startTestHub } from './fixtures/hub.js'
import { addUser } from './fixtures/people.js'

// Welfare visits: the monthly visit rate of November 2026 over a hand-built fixture whose visits sit on either
// side of month boundaries in two time zones, and the no-contact alert opening and closing.

t.test('welfare visits', async (t) => {
  const h = await startTestHub(t, { HUB_NO_CONTACT_INTERVAL: '1s', HUB_SUPERVISION_INTERVAL: '1s' })
  const db = await dbClient(t, h.hub.databaseUrl)
  /** Waits (bounded) until activity monitoring has saved a sign of life for the resident. */
  async function watched(residentId: string) {
    for (let i = 0; i < 100; i++) {
      const { rows } = await db.query(
        'SELECT 1 FROM resident_rule_state WHERE resident_id = $1 AND last_activity IS NOT NULL',
        [residentId],
      )
      if (rows.length) return
      await new Promise((r) => setTimeout(r, 100))
    }
    throw new Error(`activity monitoring never watched ${residentId}`)
  }
  const site = (name: string, timezone: string, district: string) =>
    h.create('/api/v1/sites', { kind: 'home', name, address: `${name} Road`, timezone, district })
  const A = await site('A', 'Asia/Shanghai', 'Xihu')
  const B = await site('B', 'America/New_York', 'Xihu')
  const C = await site('C', 'Asia/Shanghai', 'Gongshu')
  const resident = async (
    s: any,
    name: string,
    specialDifficulty: boolean,
    createdAt = '2026-10-01T00:00Z',
  ) => {
    const r = await h.create('/api/v1/residents', { siteId: s.id, name, abilityLevel: 1, specialDifficulty })
    await db.query('UPDATE residents SET created_at = $2 WHERE id = $1', [r.id, createdAt])
    return r
  }
  const visit = (r: any, at: string, extra = {}) =>
    h.api(
      'POST',
      `/api/v1/residents/${r.id}/visits`,
      { at, visitor: 'Li Wei', kind: 'in-person', ...extra },
      h.token,
    )

  const a1 = await resident(A, 'A1', true)
  const a2 = await resident(A, 'A2', true)
  const a3 = await resident(A, 'A3', true)
  const a4 = await resident(A, 'A4', false)
  const b1 = await resident(B, 'B1', true)
  const b2 = await resident(B, 'B2', true)
  // registered after November ended in New York: not due that month
  await resident(B, 'B3', true, '2026-12-01T10:00Z')
  await resident(C, 'C1', true)

  const first = await visit(a1, '2026-11-01T00:30:00+08:00', { findings: 'well', followUp: true })
  t.equal(first.status, 201)
  t.match(first.body, {
    residentId: a1.id,
    kind: 'in-person',
    findings: 'well',
    followUp: true,
    recordedBy: 'admin',
  })
  // 23:30 on 31 October in Shanghai: October's
  t.equal((await visit(a2, '2026-10-31T23:30:00+08:00')).status, 201)
  t.equal((await visit(a3, '2026-11-03T10:00:00+08:00', { kind: 'phone' })).status, 201)
  t.equal((await visit(a3, '2026-11-20T10:00:00+08:00', { kind: 'video' })).status, 201)
  t.equal((await visit(a4, '2026-11-05T10:00:00+08:00')).status, 201)
  // 22:00 on 30 November in New York (03:00 UTC on 1 December): November's
  t.equal((await visit(b1, '2026-12-01T03:00:00Z')).status, 201)
  // 22:00 on 31 October in New York (02:00 UTC on 1 November): October's
  t.equal((await visit(b2, '2026-11-01T02:00:00Z')).status, 201)

  await t.test('bad visits are refused', async (t) => {
    const bad = await visit(a1, '2026-11-01T00:30:00+08:00', { kind: 'letter' })
    t.equal(bad.status, 400)
    t.equal(bad.body.error, 'HUB_ERR_VALIDATION')
    t.equal((await visit(a1, '2999-01-01T00:00:00Z')).status, 400)
    t.equal((await visit({ id: 'res_nope' }, '2026-11-01T00:30:00Z')).status, 404)
  })

  await t.test("a resident's visits, newest first, paged", async (t) => {
    const one = await h.api('GET', `/api/v1/residents/${a3.id}/visits?limit=1`, undefined, h.token)
    t.equal(one.status, 200)
    t.same(
      one.body.items.map((v: any) => v.kind),
      ['video'],
    )
    const two = await h.api(
      'GET',
      `/api/v1/residents/${a3.id}/visits?limit=1&cursor=${one.body.nextCursor}`,
      undefined,
      h.token,
    )
    t.same(
      two.body.items.map((v: any) => v.kind),
      ['phone'],
    )
    t.notOk(two.body.nextCursor)
  })

  await t.test('the November rate matches the hand count', async (t) => {
    const res = await h.api('GET', '/api/v1/stats/visits?month=2026-11', undefined, h.token)
    t.equal(res.status, 200)
    // due: A1 A2 A3 B1 B2 C1 (A4 is not special-difficulty, B3 came after); visited: A1, A3 (twice), B1
    t.match(res.body, { month: '2026-11', due: 6, visited: 3, rate: 0.5, target: 1, met: false })
    t.same(
      res.body.notVisited.map((r: any) => r.name),
      ['C1', 'A2', 'B2'],
      'by district, site, name',
    )
    const bySite = Object.fromEntries(res.body.sites.map((s: any) => [s.name, [s.due, s.visited]]))
    t.same(bySite, { A: [3, 2], B: [2, 1], C: [1, 0] })
    t.same(
      res.body.districts.map((d: any) => [d.district, d.due, d.visited, d.rate]),
      [
        ['Gongshu', 1, 0, 0],
        ['Xihu', 5, 3, 0.6],
      ],
    )
    const oneSite = await h.api(
      'GET',
      `/api/v1/stats/visits?month=2026-11&siteId=${A.id}`,
      undefined,
      h.token,
    )
    t.match(oneSite.body, { due: 3, visited: 2 })
    const october = await h.api('GET', '/api/v1/stats/visits?month=2026-10', undefined, h.token)
    // A2 and B2 were visited in October
    t.match(october.body, { due: 6, visited: 2 })
    t.equal((await h.api('GET', '/api/v1/stats/visits?month=2026-13', undefined, h.token)).status, 400)
  })

  await t.test('staff count their own sites only', async (t) => {
    const { token } = await addUser(h, 'staff', { siteIds: [C.id] })
    const res = await h.api('GET', '/api/v1/stats/visits?month=2026-11', undefined, token)
    t.match(res.body, { due: 1, visited: 0 })
    t.equal((await h.api('GET', `/api/v1/stats/visits?siteId=${A.id}`, undefined, token)).status, 404)
    t.equal((await h.api('GET', `/api/v1/residents/${a1.id}/visits`, undefined, token)).status, 404)
  })

  await t.test('CSV: one row per resident due', async (t) => {
    const res = await fetch(`${h.base}/api/v1/stats/visits?month=2026-11&format=csv`, {
      headers: { authorization: `Bearer ${h.token}` },
    })
    t.match(res.headers.get('content-type'), /text\/csv/)
    const lines = (await res.text())
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n')
    t.equal(lines[0], 'month,district,siteId,site,residentId,name,visits,lastVisitAt')
    t.equal(lines.length, 7)
    t.ok(lines.some((l) => l.includes(`${a3.id},A3,2,2026-11-20T02:00:00.000Z`)))
  })

  await t.test(
    'no contact for 30 days opens a technical alert; a visit or device data resolves it',
    async (t) => {
      const feed = await h.live()
      const D = await site('D', 'Asia/Shanghai', 'Gongshu')
      const long = new Date(Date.now() - 40 * 86_400_000).toISOString()
      const quiet = await resident(D, 'Quiet', true, long)
      // a call button's heartbeats are no sign of life: only activity monitoring and visits are contact
      const button = await h.create('/api/v1/devices', {
        type: 'call-button',
        siteId: D.id,
        residentId: quiet.id,
      })
      await db.query('UPDATE devices SET last_seen = now() WHERE id = $1', [button.id])
      // watched by a motion sensor before it is moved into the past, so it is never without contact
      const heard = await h.create('/api/v1/residents', {
        siteId: D.id,
        name: 'Heard',
        abilityLevel: 1,
        specialDifficulty: true,
      })
      await h.create('/api/v1/devices', { type: 'motion-sensor', siteId: D.id, residentId: heard.id })
      await watched(heard.id)
      await db.query('UPDATE residents SET created_at = $2 WHERE id = $1', [heard.id, long])
      const opened = await feed.waitFor(
        (m) => m.kind === 'alert.opened' && m.data.type === 'no-contact' && m.data.residentId === quiet.id,
      )
      t.match(opened.data, { priority: 3, siteId: D.id, state: 'open' })
      const { body: open } = await h.api(
        'GET',
        `/api/v1/alerts?type=no-contact&state=open&siteId=${D.id}`,
        undefined,
        h.token,
      )
      t.same(
        open.items.map((a: any) => a.residentId),
        [quiet.id],
        'a resident watched by activity monitoring has none',
      )
      // an old visit (A2's, in October) is no contact either, and recording it resolved nothing
      t.equal((await visit(quiet, long)).status, 201)
      const a2Alerts = await h.api(
        'GET',
        `/api/v1/alerts?type=no-contact&state=open&residentId=${a2.id}`,
        undefined,
        h.token,
      )
      t.equal(a2Alerts.body.items.length, 1)
      const stillOpen = await h.api('GET', `/api/v1/alerts/${opened.data.id}`, undefined, h.token)
      t.equal(stillOpen.body.state, 'open', 'a visit 40 days ago is no contact now')

      t.equal((await visit(quiet, new Date().toISOString(), { kind: 'phone' })).status, 201)
      const resolved = await feed.waitFor(
        (m) => m.kind === 'alert.updated' && m.data.id === opened.data.id && m.data.state === 'resolved',
      )
      t.equal(resolved.data.outcome, 'visited')

      const sensor = await h.create('/api/v1/devices', {
        type: 'motion-sensor',
        siteId: A.id,
        residentId: a2.id,
      })
      await (await h.connectDevice(sensor)).telemetry({ motion: 1 })
      const heardFrom = await feed.waitFor(
        (m) =>
          m.kind === 'alert.updated' &&
          m.data.type === 'no-contact' &&
          m.data.residentId === a2.id &&
          m.data.state === 'resolved',
      )
      t.equal(heardFrom.data.outcome, 'activity')
    },
  )
})
