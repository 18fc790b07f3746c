// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
import t from 'tap'
import { createPool } from '../src/store/db.js'
import { onDutyAt, supervisorsFor, usersByIds } from '../src/store/people.js'
import { startTestHub } from './fixtures/hub.js'
import { addUser } from './fixtures/people.js'

// Duty rosters through the API, and the queries the escalation engine calls. 2026-11-23 is a Monday;
// Shanghai is UTC+8; Berlin goes to summer time on Sun 2026-03-29.

t.test('shifts and on-duty', async (t) => {
  const h = await startTestHub(t)
  const { api, token } = h
  const sh = await h.create('/api/v1/sites', { kind: 'institution', name: 'Shanghai home', address: 'a' })
  const ber = await h.create('/api/v1/sites', {
    kind: 'institution',
    name: 'Berlin home',
    address: 'b',
    timezone: 'Europe/Berlin',
  })
  const nurse = await addUser(h, 'staff', {
    siteIds: [sh.id],
    name: 'Nurse Wang',
    phone: '+8613800000010',
    email: 'wang@example.org',
    webhookSecret: 'user-hook-secret',
    language: 'en',
  })
  const sup = await addUser(h, 'supervisor')
  const op = await addUser(h, 'operator')
  const shifts = `/api/v1/sites/${sh.id}/shifts`
  const onDuty = async (site: string, at: string, as = token) =>
    (await api('GET', `/api/v1/sites/${site}/on-duty?at=${at}`, undefined, as)).body

  const night = await h.create(shifts, { userId: nurse.user.id, days: ['mon'], from: '20:00', to: '08:00' })
  const cover = await h.create(shifts, {
    name: 'Agency nurse',
    phone: '+8613800000011',
    from: '2026-11-23T18:00:00.000Z',
    to: '2026-11-23T20:00:00.000Z',
  })

  await t.test('the stored shapes', async (t) => {
    t.match(night, {
      siteId: sh.id,
      userId: nurse.user.id,
      kind: 'weekly',
      days: ['mon'],
      from: '20:00',
      to: '08:00',
    })
    t.match(cover, {
      userId: null,
      kind: 'once',
      days: null,
      from: '2026-11-23T18:00:00.000Z',
      name: 'Agency nurse',
    })
    const list = await api('GET', shifts, undefined, token)
    t.same(
      list.body.items.map((s: any) => s.id),
      [night.id, cover.id],
    )
    const byUser = await api('GET', `${shifts}?userId=${nurse.user.id}`, undefined, token)
    t.same(
      byUser.body.items.map((s: any) => s.id),
      [night.id],
    )
    t.same((await api('GET', `${shifts}/${night.id}`, undefined, token)).body, night)
    t.equal((await api('GET', `/api/v1/sites/${ber.id}/shifts/${night.id}`, undefined, token)).status, 404)
    t.equal((await api('GET', '/api/v1/sites/site_nope/shifts', undefined, token)).status, 404)
  })

  await t.test('on duty: overnight weekly and one-off, contact fields from the user', async (t) => {
    // Tue 03:00 Shanghai: Monday's night shift and the agency nurse
    const r = await onDuty(sh.id, '2026-11-23T19:00:00.000Z')
    t.match(r, { siteId: sh.id, at: '2026-11-23T19:00:00.000Z', timezone: 'Asia/Shanghai' })
    t.same(r.items, [
      {
        shiftId: night.id,
        userId: nurse.user.id,
        name: 'Nurse Wang',
        phone: '+8613800000010',
        email: 'wang@example.org',
        webhook: null,
        language: 'en',
        from: '2026-11-23T12:00:00.000Z',
        to: '2026-11-24T00:00:00.000Z',
      },
      {
        shiftId: cover.id,
        userId: null,
        name: 'Agency nurse',
        phone: '+8613800000011',
        email: null,
        webhook: null,
        language: 'zh-CN',
        from: '2026-11-23T18:00:00.000Z',
        to: '2026-11-23T20:00:00.000Z',
      },
    ])
    t.same(
      (await onDuty(sh.id, '2026-11-24T00:00:00.000Z')).items,
      [],
      'Tue 08:00: the night shift has ended',
    )
    t.same(
      (await onDuty(sh.id, '2026-11-22T19:00:00.000Z')).items,
      [],
      'Mon 03:00: Sunday has no night shift',
    )
    const before = Date.now()
    const now = await api('GET', `/api/v1/sites/${sh.id}/on-duty`, undefined, token)
    t.ok(Date.parse(now.body.at) >= before - 1, 'without ?at= it answers for now')
    t.notMatch(JSON.stringify(r), /user-hook-secret/, 'no secrets in the answer')
  })

  await t.test("the site's time zone, across a DST change", async (t) => {
    const berShifts = `/api/v1/sites/${ber.id}/shifts`
    const sat = await h.create(berShifts, { name: 'Night porter', days: ['sat'], from: '22:00', to: '06:00' })
    const spring = await onDuty(ber.id, '2026-03-29T03:59:00.000Z')
    t.match(spring, {
      timezone: 'Europe/Berlin',
      items: [{ shiftId: sat.id, from: '2026-03-28T21:00:00.000Z', to: '2026-03-29T04:00:00.000Z' }],
    })
    t.same((await onDuty(ber.id, '2026-03-29T04:00:00.000Z')).items, [], '06:00 CEST ends it')
    const autumn = await onDuty(ber.id, '2026-10-25T04:30:00.000Z')
    t.match(autumn.items, [{ from: '2026-10-24T20:00:00.000Z', to: '2026-10-25T05:00:00.000Z' }])
  })

  await t.test('patch and delete', async (t) => {
    const s = await h.create(shifts, { name: 'Temp', days: ['sun'], from: '08:00', to: '16:00' })
    const later = await api('PATCH', `${shifts}/${s.id}`, { to: '18:00', phone: '+8613800000012' }, token)
    t.match(later.body, {
      kind: 'weekly',
      days: ['sun'],
      from: '08:00',
      to: '18:00',
      phone: '+8613800000012',
    })
    const once = await api(
      'PATCH',
      `${shifts}/${s.id}`,
      { days: null, from: '2026-12-01T00:00:00Z', to: '2026-12-02T00:00:00Z', phone: null },
      token,
    )
    t.match(once.body, { kind: 'once', days: null, from: '2026-12-01T00:00:00.000Z', phone: null })
    t.same(
      (await onDuty(sh.id, '2026-12-01T12:00:00.000Z')).items.map((i: any) => i.shiftId),
      [s.id],
    )
    const noOne = await api('PATCH', `${shifts}/${s.id}`, { name: null }, token)
    t.equal(noOne.status, 400, 'a shift must name someone')
    t.equal(noOne.body.details[0].field, 'body.name')
    const del = await api('DELETE', `${shifts}/${s.id}`, undefined, token)
    t.equal(del.body.id, s.id)
    t.equal((await api('GET', `${shifts}/${s.id}`, undefined, token)).status, 404)
    t.same((await onDuty(sh.id, '2026-12-01T12:00:00.000Z')).items, [], 'gone from the roster')
  })

  await t.test('validation names the field', async (t) => {
    const cases: [unknown, string[]][] = [
      [{ name: 'x', days: ['mon'], from: '25:00', to: '8:00' }, ['body.from', 'body.to']],
      [{ name: 'x', days: ['someday'], from: '08:00', to: '09:00' }, ['body.days.0']],
      [{ name: 'x', from: '2026-11-23T10:00:00Z', to: '2026-11-23T09:00:00Z' }, ['body.to']],
      [{ name: 'x', from: '08:00', to: '09:00' }, ['body.from', 'body.to']],
      [{ days: ['mon'], from: '08:00', to: '09:00' }, ['body.name']],
      [{ name: 'x', days: ['mon'], from: '08:00', to: '09:00', email: 'nope' }, ['body.email']],
    ]
    for (const [body, fields] of cases) {
      const res = await api('POST', shifts, body, token)
      t.equal(res.status, 400, JSON.stringify(body))
      t.same(res.body.details.map((d: any) => d.field).sort(), fields)
    }
    const ghost = await api(
      'POST',
      shifts,
      { userId: 'usr_nope', days: ['mon'], from: '08:00', to: '09:00' },
      token,
    )
    t.equal(ghost.body.error, 'HUB_ERR_UNKNOWN_REFERENCE')
    t.equal((await api('GET', `/api/v1/sites/${sh.id}/on-duty?at=yesterday`, undefined, token)).status, 400)
  })

  await t.test(
    'roles: supervisors manage shifts, operators and staff read, staff only at their sites',
    async (t) => {
      const body = { name: 'x', days: ['mon'], from: '08:00', to: '09:00' }
      const bySup = await api('POST', shifts, body, sup.token)
      t.equal(bySup.status, 201)
      t.equal((await api('DELETE', `${shifts}/${bySup.body.id}`, undefined, sup.token)).status, 200)
      for (const who of [op, nurse]) {
        t.equal((await api('POST', shifts, body, who.token)).status, 403, `${who.user.role} may not write`)
        t.equal((await api('PATCH', `${shifts}/${night.id}`, { to: '09:00' }, who.token)).status, 403)
        t.equal((await api('GET', shifts, undefined, who.token)).status, 200, `${who.user.role} reads`)
      }
      t.equal(
        (await onDuty(sh.id, '2026-11-23T19:00:00.000Z', nurse.token)).items.length,
        2,
        'staff: own site',
      )
      for (const path of [`/api/v1/sites/${ber.id}/shifts`, `/api/v1/sites/${ber.id}/on-duty`]) {
        t.equal(
          (await api('GET', path, undefined, nurse.token)).status,
          404,
          `staff: ${path} is another site`,
        )
        t.equal((await api('GET', path, undefined, op.token)).status, 200)
      }
    },
  )

  await t.test('the functions the escalation engine calls', async (t) => {
    const db = createPool(h.hub.databaseUrl, 2)
    t.teardown(() => db.end())
    const at = new Date('2026-11-23T19:00:00.000Z')
    const duty = await onDutyAt(db, sh.id, at)
    t.same(
      duty.map((d) => [d.shiftId, d.name, d.webhookSecret]),
      [
        [night.id, 'Nurse Wang', 'user-hook-secret'],
        [cover.id, 'Agency nurse', null],
      ],
      'the webhook secret falls back to the user',
    )
    t.same(await onDutyAt(db, 'site_nope', at), [])
    const own = await h.create(shifts, {
      userId: nurse.user.id,
      phone: '+8613800000013',
      webhookSecret: 'shift-hook-secret',
      from: '2026-11-23T18:30:00.000Z',
      to: '2026-11-23T19:30:00.000Z',
    })
    const withOwn = (await onDutyAt(db, sh.id, at)).find((d) => d.shiftId === own.id)!
    t.match(withOwn, {
      phone: '+8613800000013',
      email: 'wang@example.org',
      webhookSecret: 'shift-hook-secret',
    })

    const berSup = await addUser(h, 'supervisor', { siteIds: [ber.id], name: 'Berlin boss' })
    const ids = (xs: { userId: string | null }[]) => xs.map((x) => x.userId)
    t.same(ids(await supervisorsFor(db, sh.id)), [sup.user.id], 'hub-wide supervisors only')
    t.same(ids(await supervisorsFor(db, ber.id)), [sup.user.id, berSup.user.id], 'plus the site-scoped one')
    t.same(ids(await supervisorsFor(db, null)), [sup.user.id], 'no site: hub-wide supervisors')
    t.same(await usersByIds(db, []), [])
    const picked = await usersByIds(db, [berSup.user.id, 'usr_nope', nurse.user.id])
    t.same(ids(picked), [berSup.user.id, nurse.user.id], 'in the order given, unknown ids skipped')
    t.match(picked[0], { shiftId: null, name: 'Berlin boss', language: 'zh-CN', webhookSecret: null })
    t.equal(picked[1]!.name, 'Nurse Wang')
    const plain = await usersByIds(db, [op.user.id])
    t.equal(plain[0]!.name, op.username, 'the name falls back to the username')

    // disabled people are nobody to call: not on duty, not a supervisor, not a named user
    await api('PATCH', `/api/v1/users/${nurse.user.id}`, { disabled: true }, token)
    await api('PATCH', `/api/v1/users/${berSup.user.id}`, { disabled: true }, token)
    t.same(
      (await onDutyAt(db, sh.id, at)).map((d) => d.shiftId),
      [cover.id],
    )
    t.same(ids(await supervisorsFor(db, ber.id)), [sup.user.id])
    t.same(await usersByIds(db, [nurse.user.id, berSup.user.id]), [])
  })
})
