// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
import t from 'tap'
import { launchBrowser, logIn, newPage, screenshot } from './fixtures/browser.js'
import { world } from './fixtures/console-world.js'
import { startTestHub } from './fixtures/hub.js'
import { addUser } from './fixtures/people.js'

// The care map with no tile server, and what a staff user sees: their own site only.

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
