// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
import t from 'tap'
import { launchBrowser, logIn, missingKeys, newPage, screenshot } from './fixtures/browser.js'
import { world } from './fixtures/console-world.js'
import { startTestHub } from './fixtures/hub.js'
import { addUser } from './fixtures/people.js'

// Every screen in both languages with no missing translation key; the user's own language is the default;
// with no tile server configured nothing is fetched from outside the hub.
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
