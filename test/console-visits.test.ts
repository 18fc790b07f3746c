// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
import t from 'tap'
import { launchBrowser, logIn, missingKeys, newPage, screenshot } from './fixtures/browser.js'
import { startTestHub } from './fixtures/hub.js'
import { addUser } from './fixtures/people.js'

// The console's welfare visits: the resident card lists the latest visits, and Statistics shows this month's
// visit rate with who is still to be visited, in both languages with no missing key.

t.test('welfare visits in the console', async (t) => {
  const h = await startTestHub(t)
  const browser = await launchBrowser(t)
  const site = await h.create('/api/v1/sites', { kind: 'home', name: 'Visit home', address: '5 Road' })
  const visited = await h.create('/api/v1/residents', {
    siteId: site.id,
    name: 'Visited Resident',
    abilityLevel: 1,
    specialDifficulty: true,
  })
  await h.create('/api/v1/residents', {
    siteId: site.id,
    name: 'Waiting Resident',
    abilityLevel: 1,
    specialDifficulty: true,
  })
  await h.create(`/api/v1/residents/${visited.id}/visits`, {
    at: new Date().toISOString(),
    visitor: 'Visitor Zhou',
    kind: 'phone',
    findings: 'all well',
    followUp: true,
  })
  const device = await h.create('/api/v1/devices', {
    type: 'call-button',
    siteId: site.id,
    residentId: visited.id,
  })
  const button = await h.connectDevice(device)
  await button.event('sos')

  for (const language of ['en', 'zh-CN'] as const) {
    const who = await addUser(h, 'operator', { language })
    const { page, errors } = await newPage(browser)
    await logIn(page, h.base, who.username, who.password)
    await page.locator('[data-testid=queue] li.row a').first().click()
    const panel = page.locator('[data-testid=visits-panel]')
    await panel.getByText('Visitor Zhou').waitFor()
    t.match(await panel.innerText(), language === 'en' ? /by phone.*follow-up needed/s : /电话探访.*需跟进/s)
    await screenshot(page, `visits-panel-${language}`)

    await page.evaluate(() => {
      history.pushState(null, '', '/stats')
      dispatchEvent(new PopStateEvent('popstate'))
    })
    const rate = page.locator('[data-testid=visit-rate]')
    await rate.waitFor()
    const text = await rate.innerText()
    t.match(text, /50\.0%/, `${language}: one of two residents visited`)
    t.match(text, /Waiting Resident/, `${language}: who is still to be visited`)
    t.notMatch(text, /Visited Resident/)
    t.same(await missingKeys(page), [], `${language}: no key missing`)
    t.same(errors, [], `${language}: no script errors`)
    await page.context().close()
  }
})
