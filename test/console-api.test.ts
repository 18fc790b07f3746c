import { readFile } from 'node:fs/promises'
import { pino } from 'pino'
import t from 'tap'
import { loadConfig } from '../src/config.js'
import { startTestHub } from './fixtures/hub.js'

// What the console reads besides alerts: its configuration, and searches over the admin lists.

const TILES = 'https://{s}.tile.example.org/{z}/{x}/{y}.png'

t.test('HUB_MAP_TILES and HUB_PUBLIC_URL in the configuration', async (t) => {
  t.equal(loadConfig({}).HUB_MAP_TILES, undefined, 'no tiles by default: the console stays offline')
  t.equal(loadConfig({ HUB_MAP_TILES: TILES }).HUB_MAP_TILES, TILES, 'a {s} host placeholder is fine')
  for (const bad of ['https://tiles.example.org/{z}/{x}.png', 'ftp://tiles.example.org/{z}/{x}/{y}.png']) {
    t.throws(() => loadConfig({ HUB_MAP_TILES: bad }), /HUB_MAP_TILES: an http\(s\) URL template/, bad)
  }
  t.equal(loadConfig({}).publicUrlDefaulted, true)
  t.equal(loadConfig({ HUB_PUBLIC_URL: 'https://care.example.org' }).publicUrlDefaulted, false)
})

t.test('the console API', async (t) => {
  const logged: { level: number; msg: string }[] = []
  const log = pino({ level: 'warn' }, { write: (line: string) => logged.push(JSON.parse(line)) })
  const h = await startTestHub(t, { HUB_MAP_TILES: TILES }, log)

  await t.test('a hub without HUB_PUBLIC_URL warns at start', async (t) => {
    const warning = logged.find((l) => l.msg.includes('HUB_PUBLIC_URL is not set'))
    t.ok(warning, 'the warning names the variable')
    t.equal(warning?.level, 40, 'at warn level')
  })

  await t.test('GET /console/config', async (t) => {
    const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'))
    const res = await h.api('GET', '/api/v1/console/config', undefined, h.token)
    t.equal(res.status, 200)
    t.same(res.body, { mapTiles: TILES, version, defaultLanguage: 'zh-CN' })
    const anon = await h.api('GET', '/api/v1/console/config')
    t.equal(anon.status, 401, 'only for signed-in users')
    t.equal(anon.body.error, 'HUB_ERR_UNAUTHORIZED')
  })
  await t.test('the OpenAPI document describes what the console uses', async (t) => {
    const doc = await (await fetch(`${h.base}/docs/json`)).json()
    const op = (path: string, method: string) => doc.paths[`/api/v1${path}`]?.[method]
    const codes = (o: { responses: object }) => Object.keys(o.responses).sort()
    const ack = op('/alerts/{id}/ack', 'post')
    t.equal(ack.requestBody.required, false, "ack's body may be left out")
    t.same(codes(ack), ['200', '400', '401', '403', '404', '409', '413', '503'])
    const actions = op('/alerts/{id}/actions', 'post')
    t.equal(actions.requestBody.required, true)
    t.same(actions.requestBody.content['application/json'].schema.properties.action.enum, [
      'called-resident',
      'called-family',
      'dispatched-staff',
      'called-120',
      'called-119',
    ])
    t.same(codes(actions), ['200', '400', '401', '403', '404', '409', '413', '503'])
    t.same(codes(op('/console/config', 'get')), ['200', '400', '401', '403', '503'])
    for (const path of ['/stats/alerts', '/stats/response', '/stats/false-alarms']) {
      const stats = op(path, 'get')
      t.same(codes(stats), ['200', '400', '401', '403', '404', '503'], path)
      const names = stats.parameters.map((p: { name: string }) => p.name)
      t.ok(
        ['from', 'to', 'siteId', 'format'].every((n) => names.includes(n)),
        `${path} parameters`,
      )
      t.ok(stats.description, `${path} says what it counts`)
    }
    for (const path of ['/sites', '/residents', '/devices', '/users']) {
      const names = op(path, 'get').parameters.map((p: { name: string }) => p.name)
      t.ok(names.includes('q') && names.includes('cursor'), `${path} takes q with its paging`)
    }
  })
})

t.test('?q= searches the admin lists, with their paging and filters', async (t) => {
  const h = await startTestHub(t)
  const items = async (path: string, token = h.token) => {
    const res = await h.api('GET', `/api/v1/${path}`, undefined, token)
    t.equal(res.status, 200, path)
    return res.body.items as { id: string; name?: string; username?: string }[]
  }
  const plum = await h.create('/api/v1/sites', { kind: 'home', name: 'Li family', address: '12 Plum Lane' })
  const orchard = await h.create('/api/v1/sites', {
    kind: 'institution',
    name: 'Orchard care home',
    address: '8 Orchard Road',
  })
  const odd = await h.create('/api/v1/sites', { kind: 'home', name: '100%_sure', address: 'x' })
  const li = await h.create('/api/v1/residents', { siteId: plum.id, name: '李华', abilityLevel: 2 })
  await h.create('/api/v1/residents', { siteId: orchard.id, name: '王芳', abilityLevel: 1 })
  const pendant = await h.create('/api/v1/devices', {
    type: 'call-button',
    siteId: plum.id,
    location: { room: 'bedroom-201' },
  })
  await h.create('/api/v1/devices', { type: 'fall-sensor', siteId: orchard.id })
  await h.create('/api/v1/users', {
    username: 'desk-1',
    password: 'desk-password',
    role: 'operator',
    name: 'Wang Fang',
  })

  t.same(
    (await items('sites?q=plum')).map((s) => s.id),
    [plum.id],
    'address, ignoring case',
  )
  t.same(
    (await items('sites?q=ORCHARD')).map((s) => s.id),
    [orchard.id],
  )
  t.same((await items('sites?q=orchard&kind=home')).length, 0, 'with the filters')
  t.same(
    (await items('sites?q=%25')).map((s) => s.id),
    [odd.id],
    '% is a character, not a wildcard',
  )
  t.same(
    (await items('sites?q=%25_')).map((s) => s.id),
    [odd.id],
    '_ too (every id has one, none has %_)',
  )
  t.equal((await items('sites?q=')).length, 3, 'an empty search is no search')
  t.same(
    (await items(`sites?q=${plum.id}`)).map((s) => s.id),
    [plum.id],
    'ids too',
  )
  t.same(
    (await items(`residents?q=${encodeURIComponent('李')}`)).map((r) => r.id),
    [li.id],
  )
  t.same(
    (await items('devices?q=201')).map((d) => d.id),
    [pendant.id],
    'a word of the location',
  )
  t.same((await items('devices?q=fall')).length, 1, 'the type')
  t.same(
    (await items('users?q=wang')).map((u) => u.username),
    ['desk-1'],
    'users by name',
  )
  t.same(
    (await items('users?q=ADMIN')).map((u) => u.username),
    ['admin'],
    'and username',
  )

  await t.test('paging through the matches', async (t) => {
    for (const n of [1, 2, 3]) {
      await h.create('/api/v1/sites', { kind: 'home', name: `Pager ${n}`, address: 'y' })
    }
    const first = await h.api('GET', '/api/v1/sites?q=pager&limit=2', undefined, h.token)
    t.equal(first.body.items.length, 2)
    t.ok(first.body.nextCursor)
    const rest = await h.api(
      'GET',
      `/api/v1/sites?q=pager&limit=2&cursor=${first.body.nextCursor}`,
      undefined,
      h.token,
    )
    t.same(
      [...first.body.items, ...rest.body.items].map((s: { name: string }) => s.name),
      ['Pager 1', 'Pager 2', 'Pager 3'],
    )
    t.notOk(rest.body.nextCursor)
  })

  await t.test('staff search only their sites', async (t) => {
    await h.create('/api/v1/users', {
      username: 'staff-plum',
      password: 'staff-password',
      role: 'staff',
      siteIds: [plum.id],
    })
    const staff = await h.login('staff-plum', 'staff-password')
    t.same(
      (await items('sites?q=a', staff)).map((s) => s.id),
      [plum.id],
    )
    t.equal((await items(`residents?q=${encodeURIComponent('王')}`, staff)).length, 0)
    const tooLong = await h.api('GET', `/api/v1/sites?q=${'x'.repeat(101)}`, undefined, h.token)
    t.equal(tooLong.status, 400)
    t.equal(tooLong.body.details[0].field, 'querystring.q')
  })
})
