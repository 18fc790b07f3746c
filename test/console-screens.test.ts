// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
import t from 'tap'
import { launchBrowser, logIn, missingKeys, newPage, screenshot } from './fixtures/browser.js'
import { startTestHub, type TestHub } from './fixtures/hub.js'
import { addUser } from './fixtures/people.js'

// Every screen in both languages with no missing translation key; the user's own language is the default;
// the care map draws with no tile server and asks nothing of the outside world; a staff user sees their site.

async function world(h: TestHub) {
  const home = await h.provision('call-button')
  const inst = await h.create('/api/v1/sites', {
    kind: 'institution',
    name: '幸福养老院',
    address: '北京市朝阳区 1 号',
    lat: 39.92,
    lon: 116.44,
  })
  await h.api('PATCH', `/api/v1/sites/${home.site.id}`, { lat: 31.23, lon: 121.47 }, h.token)
  const detector = await h.create('/api/v1/devices', {
    type: 'smoke-detector',
    siteId: inst.id,
    location: { building: 'A', floor: '1', zone: 'Z1', room: '101' },
  })
  const sos = await h.connectDevice(home.device)
  const smoke = await h.connectDevice(detector)
  await sos.event('sos')
  await smoke.event('smoke', { obscuration: 12 })
  return { home, inst, detector }
}

const screens = [
  ['queue', '/', '[data-testid=queue] li.row'],
  ['map', '/map', '[data-testid=map] path.site-marker'],
  ['institutions', '/institutions', '[data-testid=detector-board] li.det'],
  ['admin-sites', '/admin/sites', '[data-testid=resource-list] tbody tr'],
  ['admin-residents', '/admin/residents', '[data-testid=resource-list] tbody tr'],
  ['admin-devices', '/admin/devices', '[data-testid=resource-list] tbody tr'],
  ['admin-users', '/admin/users', '[data-testid=resource-list] tbody tr'],
  ['admin-policies', '/admin/policies', '[data-testid=resource-list]'],
  ['admin-rosters', '/admin/rosters', '[data-testid=roster] table.week'],
  ['admin-topology', '/admin/topology', '[data-testid=topology] form'],
  ['admin-import', '/admin/import', '[data-testid=import] form'],
  ['stats', '/stats', '[data-testid=stats] .stats-grid'],
] as const

t.test('every screen renders in zh-CN and in English with no missing key', async (t) => {
  const h = await startTestHub(t)
  const browser = await launchBrowser(t)
  await world(h)
  const english = await addUser(h, 'admin', { language: 'en' })
  const chinese = await addUser(h, 'admin', { language: 'zh-CN' })
  for (const [lang, who, word] of [
    ['zh-CN', chinese, '报警队列'],
    ['en', english, 'Alert queue'],
  ] as const) {
    const { page, errors } = await newPage(browser, { locale: 'en-US' })
    const outside: string[] = []
    page.on('request', (r) => {
      if (
        !r.url().startsWith(h.base) &&
        !r.url().startsWith('ws://127.0.0.1') &&
        !r.url().startsWith('data:')
      )
        outside.push(r.url())
    })
    await logIn(page, h.base, who.username, who.password)
    t.equal(
      await page.evaluate(() => document.documentElement.lang),
      lang,
      `${lang}: the user's language is used`,
    )
    t.match(await page.locator('nav').first().innerText(), word)
    for (const [name, path, ready] of screens) {
      await page.evaluate((p) => {
        history.pushState(null, '', p)
        dispatchEvent(new PopStateEvent('popstate'))
      }, path)
      await page.locator(ready).first().waitFor()
      const text = await page.locator('body').innerText()
      t.notMatch(text, /⟦/, `${lang} ${name}: no untranslated key on screen`)
      await screenshot(page, `${name}-${lang}`)
    }
    // the workspace of the fire alert, with its fire buttons
    await page.evaluate(() => {
      history.pushState(null, '', '/')
      dispatchEvent(new PopStateEvent('popstate'))
    })
    await page.locator('[data-testid=queue] li.row.p1 a').click()
    await page.locator('[data-testid=workspace]').waitFor()
    await page.locator('[data-testid=device-card] dl').waitFor()
    await screenshot(page, `workspace-fire-${lang}`)
    t.same(await missingKeys(page), [], `${lang}: no key missing from the dictionary`)
    t.same(outside, [], `${lang}: nothing was fetched from outside the hub (the map has no tiles configured)`)
    t.equal(await page.locator('[data-testid=map]').count(), 0, 'the map was left')
    t.same(errors, [], `${lang}: no script errors`)
    await page.context().close()
  }
})

t.test('the map draws every site offline, fire in its own colour', async (t) => {
  const h = await startTestHub(t)
  const browser = await launchBrowser(t)
  await world(h)
  const { page, errors } = await newPage(browser)
  const admin = await addUser(h, 'admin')
  await logIn(page, h.base, admin.username, admin.password, '/map')
  await page.locator('[data-testid=map][data-tiles=off]').waitFor()
  await page.locator('[data-testid=map] path.site-marker.fire').waitFor()
  t.equal(await page.locator('[data-testid=map] path.site-marker').count(), 2, 'both sites are on the map')
  t.equal(
    await page.locator('[data-testid=map] img.leaflet-tile').count(),
    0,
    'no tiles without HUB_MAP_TILES',
  )
  await screenshot(page, 'map-offline')
  t.same(errors, [])
})

t.test('a staff user sees only their own site', async (t) => {
  const h = await startTestHub(t)
  const browser = await launchBrowser(t)
  const { inst, home } = await world(h)
  const staff = await addUser(h, 'staff', { siteIds: [inst.id] })
  const { page, errors } = await newPage(browser)
  await logIn(page, h.base, staff.username, staff.password)
  await page.locator('[data-testid=queue] li.row.p1').waitFor()
  // the fire, and whatever the hub raised about the same site (nobody on duty there)
  const where = await page.locator('[data-testid=queue] li.row .where').allInnerTexts()
  t.ok(where.length > 0 && where.every((w) => w === '幸福养老院'), `every alert is at their site: ${where}`)
  const all = (await h.api('GET', '/api/v1/alerts?state=open', undefined, h.token)).body.items
  t.ok(
    all.some((a: any) => a.siteId === home.site.id),
    'while the hub holds an alert at the other site',
  )
  t.equal(await page.getByRole('link', { name: '管理' }).count(), 0, 'no administration for staff')
  await screenshot(page, 'queue-staff')
  await page.getByRole('link', { name: '养老地图' }).click()
  await page.locator(`[data-site-id="${inst.id}"]`).waitFor()
  t.equal(
    await page.locator(`[data-site-id="${home.site.id}"]`).count(),
    0,
    'the other site is not on their map',
  )
  await page.getByRole('link', { name: '机构' }).click()
  await page.locator('[data-testid=detector-board] li.det-alarm').waitFor()
  await screenshot(page, 'institutions-staff')
  t.same(errors, [], 'no script errors')
})
