// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
import t from 'tap'
import { alertOf, scene, until } from './fixtures/escalation.js'
import { startTestHub } from './fixtures/hub.js'

// The escalation-policies API: validation, roles, the built-in defaults, and the snapshot rule (editing a
// policy never changes an escalation already running).

t.test('escalation policies', async (t) => {
  const hub = await startTestHub(t)
  const path = '/api/v1/escalation-policies'
  const post = (body: unknown, token = hub.token) => hub.api('POST', path, body, token)

  const builtin = (await hub.api('GET', `${path}?limit=1000`, undefined, hub.token)).body.items
  t.same(
    builtin.map((p: any) => `${p.alertType}/${p.alertClass}`).sort(),
    ['*/fire', '*/life-safety', '*/technical'],
    'one default per alert class, none by type name',
  )
  t.ok(builtin.every((p: any) => p.builtin && p.siteId === null))

  const bad = await post({
    name: 'x',
    alertType: 'SOS!',
    steps: [{ name: 'a', targets: ['pager'], waitSeconds: 0 }],
  })
  t.equal(bad.status, 400)
  t.equal(bad.body.error, 'HUB_ERR_VALIDATION')
  const fields = bad.body.details.map((d: any) => d.field)
  t.ok(fields.includes('body.alertType'), 'names the bad alert type')
  t.ok(
    fields.some((f: string) => f.startsWith('body.steps.0')),
    'names the bad step',
  )

  const ghost = await post({
    name: 'x',
    steps: [{ name: 'a', targets: [{ user: 'usr_nobody' }], waitSeconds: 5 }],
  })
  t.equal(ghost.status, 400)
  t.equal(ghost.body.error, 'HUB_ERR_UNKNOWN_REFERENCE', 'a named user must exist')

  const dupe = await post({ name: 'again', alertClass: 'life-safety', steps: builtin[0].steps })
  t.equal(dupe.status, 409, 'one policy per scope and class')
  const both = await post({ name: 'x', alertType: 'sos', alertClass: 'fire', steps: builtin[0].steps })
  t.equal(both.status, 400, 'a type or a class, not both')

  const anyDefault = builtin.find((p: any) => p.alertClass === 'technical')
  const del = await hub.api('DELETE', `${path}/${anyDefault.id}`, undefined, hub.token)
  t.equal(del.status, 409, 'a built-in default cannot be deleted')

  await hub.create('/api/v1/users', { username: 'op', password: 'operator-pw', role: 'operator' })
  const opToken = await hub.login('op', 'operator-pw')
  t.equal(
    (await post({ name: 'x', steps: builtin[0].steps }, opToken)).status,
    403,
    'operators may not write',
  )
  t.equal((await hub.api('GET', path, undefined, opToken)).status, 200, 'but may read')

  // a running escalation keeps its snapshot
  const s = await scene(hub, { steps: [{ name: 'first', targets: ['call-centre'], waitSeconds: 1 }] })
  const policy = (await hub.api('GET', `${path}?siteId=${s.site.id}`, undefined, hub.token)).body.items[0]
  const button = await hub.connectDevice(s.device)
  await button.event('sos')
  const alert = await alertOf(hub, s.device.id)
  await until(hub, `/api/v1/alerts/${alert.id}`, (a: any) =>
    a.history.some((h: any) => h.kind === 'escalated'),
  )
  const edited = await hub.api(
    'PATCH',
    `${path}/${policy.id}`,
    { steps: [{ name: 'edited', targets: ['call-centre'], waitSeconds: 1 }] },
    hub.token,
  )
  t.equal(edited.status, 200)
  const later = await until(
    hub,
    `/api/v1/alerts/${alert.id}`,
    (a: any) => a.history.filter((h: any) => h.kind === 'escalated').length >= 3,
  )
  t.same(
    later.history.filter((h: any) => h.kind === 'escalated').map((h: any) => h.data.step),
    ['first', 'first', 'first'],
    'the edit does not reach the running chain',
  )

  const deleted = await hub.api('DELETE', `${path}/${policy.id}`, undefined, hub.token)
  t.equal(deleted.status, 200, 'a site policy can be deleted')
})
