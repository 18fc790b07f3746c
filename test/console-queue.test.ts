// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
import t from 'tap'
import { dropProxy, launchBrowser, logIn, newPage, screenshot } from './fixtures/browser.js'
import { ADMIN_PASSWORD, startTestHub } from './fixtures/hub.js'
import { pollUntil } from './fixtures/mqtt.js'
import { addUser } from './fixtures/people.js'

// The operator's night shift in a real Chromium against a real hub: an SOS from a real MQTT device appears in
// the queue from the live feed, is acknowledged, gets a recorded action, is resolved and leaves the queue;
// and when the server side of the socket goes away, an alert raised meanwhile still arrives after reconnect.

t.test('an SOS from a device is worked from the queue to resolved', async (t) => {
  const h = await startTestHub(t)
  const browser = await launchBrowser(t)
  const { page, errors } = await newPage(browser, { permissions: ['notifications'] })
  const { site, resident, device } = await h.provision('call-button', { abilityLevel: 3 })
  // born on 1 January: the age is this year minus the birth year whatever today's date
  const birthDate = `${new Date().getFullYear() - 82}-01-01`
  await h.api(
    'PATCH',
    `/api/v1/residents/${resident.id}`,
    { contacts: [{ name: '王芳', relation: '女儿', phone: '13800000001' }], birthDate },
    h.token,
  )
  const d = await h.connectDevice(device)

  // an unknown console path sends the operator to log in, and back there afterwards
  await logIn(page, h.base, 'admin', ADMIN_PASSWORD, '/alerts/none-yet')
  t.match(page.url(), /\/alerts\/none-yet$/, 'after logging in, the operator is back where they asked to go')
  await page.goto(`${h.base}/`)
  await page.locator('[data-testid=live-state][data-state=connected]').waitFor()
  await screenshot(page, 'queue-empty')

  // the operator is in another tab: the alert also comes as a browser notification
  await page.evaluate(() =>
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => true }),
  )
  await d.event('sos', { button: 'pendant' })
  const row = page.locator('[data-testid=queue] li.row').first()
  await row.waitFor()
  t.equal(await page.evaluate(() => (window as any).__alarms.notified), 1, 'a notification while hidden')
  await page.evaluate(() =>
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => false }),
  )
  t.match(await row.innerText(), /紧急呼叫/, 'the SOS shows in the queue with its type in words')
  t.match(await row.locator('.kind').innerText(), /🆘/, 'and its icon')
  const alertId = await row.getAttribute('data-alert-id')
  t.ok(alertId, 'the row names its alert')

  await row.locator('a').click()
  const ws = page.locator('[data-testid=workspace]')
  await ws.waitFor()
  await page.locator('[data-testid=resident-card]').getByText('13800000001').waitFor()
  t.match(await page.locator('[data-testid=resident-card]').innerText(), /重度失能/, 'ability level in words')
  t.equal(
    await page.locator('[data-testid=resident-age]').innerText(),
    `82 岁（${birthDate} 出生）`,
    'the age in years from the birth date, with the date',
  )
  await screenshot(page, 'workspace-open')

  await page.locator('[data-testid=ack]').click()
  await page.locator('[data-testid=workspace][data-state=acknowledged]').waitFor()
  const acked = (await h.api('GET', `/api/v1/alerts/${alertId}`, undefined, h.token)).body
  t.equal(acked.state, 'acknowledged', 'the hub recorded the acknowledgement')
  t.equal(acked.acknowledgedBy, 'admin')
  t.match(await row.innerText(), /admin/, 'the queue says who acknowledged it')

  await page.locator('[data-action=called-family]').click()
  await page.locator('[data-testid=history]').getByText('已致电家属').waitFor()
  const withAction = (await h.api('GET', `/api/v1/alerts/${alertId}`, undefined, h.token)).body
  t.ok(
    withAction.history.some((e: any) => e.kind === 'action' && e.data.action === 'called-family'),
    'the action is in the alert history',
  )
  await screenshot(page, 'workspace-acknowledged')

  await page.locator('[data-testid=outcome]').selectOption('assisted')
  await page.locator('[data-testid=resolve]').click()
  await page.locator(`[data-testid=queue] li[data-alert-id="${alertId}"]`).waitFor({ state: 'detached' })
  const resolved = (await h.api('GET', `/api/v1/alerts/${alertId}`, undefined, h.token)).body
  t.equal(resolved.state, 'resolved', 'resolved in the hub')
  t.equal(resolved.outcome, 'assisted')
  t.equal(resolved.siteId, site.id)

  // logging out ends the console's token in the hub, not just in this browser
  const token = await page.evaluate(() => JSON.parse(localStorage.getItem('hub.session') ?? '{}').token)
  await page.locator('[data-testid=logout]').click()
  await page.waitForURL(/\/login/)
  t.equal(
    (await h.api('GET', '/api/v1/auth/me', undefined, token)).status,
    401,
    'the logged-out token is dead',
  )
  t.equal((await h.api('GET', '/api/v1/auth/me', undefined, h.token)).status, 200, 'other sessions go on')
  t.same(errors, [], 'no script errors on the page')
})

t.test('an alert raised while the socket was down arrives after the reconnect', async (t) => {
  const h = await startTestHub(t)
  const browser = await launchBrowser(t)
  const { page, errors } = await newPage(browser)
  const proxy = await dropProxy(t, h.hub.httpPort)
  const first = await h.provision('call-button')
  const second = await h.provision('fall-sensor')
  const d1 = await h.connectDevice(first.device)
  const d2 = await h.connectDevice(second.device)

  await logIn(page, proxy.base, 'admin', ADMIN_PASSWORD)
  await d1.event('sos')
  await page.locator('[data-testid=queue] li.row').first().waitFor()
  const sounded = () => page.evaluate(() => (window as any).__alarms.sounded as number)
  t.equal(await sounded(), 1, 'the new alert sounded')
  // muted, the next one is silent (and the switch says so)
  await page.locator('[data-testid=mute]').click()
  t.match(await page.locator('[data-testid=mute]').innerText(), /已静音/)

  proxy.drop()
  await page.locator('[data-testid=live-state][data-state=reconnecting]').waitFor()
  await screenshot(page, 'queue-reconnecting')
  await d2.event('fall')
  // the hub has the fall before the console can reconnect
  await pollUntil(
    () => h.api('GET', '/api/v1/alerts?state=open', undefined, h.token),
    (r) => r.body.items.length === 2,
  )
  proxy.resume()
  await page.locator('[data-testid=live-state][data-state=connected]').waitFor()
  await page.locator('[data-testid=queue] li.row .kind', { hasText: '跌倒' }).waitFor()
  t.equal(await page.locator('[data-testid=queue] li.row').count(), 2, 'both alerts are in the queue')
  t.equal(await sounded(), 1, 'muted: the second alert made no sound')
  t.ok(
    proxy.upgrades.some((line) => /[?&]since=\d+/.test(line)),
    'the console resumed the feed with ?since=',
  )
  t.same(errors, [], 'no script errors on the page')
})

t.test(
  'the queue by keyboard, and a session that ends sends the operator back where they were',
  async (t) => {
    const h = await startTestHub(t)
    const browser = await launchBrowser(t)
    const { page, errors } = await newPage(browser)
    const operator = await addUser(h, 'operator')
    const fall = await h.provision('fall-sensor', { abilityLevel: 1 })
    const sos = await h.provision('call-button', { abilityLevel: 4 })
    await (await h.connectDevice(fall.device)).event('fall')
    await (await h.connectDevice(sos.device)).event('sos')
    await logIn(page, h.base, operator.username, operator.password)
    const rows = page.locator('[data-testid=queue] li.row')
    await rows.nth(1).waitFor()
    // same priority: the higher ability level (more dependent resident) first, though it came second
    const order = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-alert-id')))
    const open = (await h.api('GET', '/api/v1/alerts?state=open', undefined, h.token)).body.items
    t.same(
      order,
      open.map((a: any) => a.id),
      "the queue is in the contract's order",
    )
    t.equal(open[0].deviceId, sos.device.id, 'ability level 4 before 1')

    await page.keyboard.press('j')
    await page.locator(`[data-testid=workspace][data-alert-id="${order[0]}"]`).waitFor()
    await page.keyboard.press('j')
    await page.locator(`[data-testid=workspace][data-alert-id="${order[1]}"]`).waitFor()
    await page.keyboard.press('k')
    await page.locator(`[data-testid=workspace][data-alert-id="${order[0]}"]`).waitFor()
    await page.keyboard.press('a')
    await page.locator('[data-testid=workspace][data-state=acknowledged]').waitFor()
    t.equal(
      (await h.api('GET', `/api/v1/alerts/${order[0]}`, undefined, h.token)).body.acknowledgedBy,
      operator.username,
      'A acknowledged the selected alert',
    )
    await page.keyboard.press('r')
    t.equal(
      await page.evaluate(() => document.activeElement?.getAttribute('data-testid')),
      'outcome',
      'R goes to the outcome',
    )
    await page.keyboard.press('Escape')
    await page.locator('body').click({ position: { x: 5, y: 300 } })
    await page.keyboard.press('?')
    await page.getByRole('dialog').waitFor()
    await screenshot(page, 'shortcuts-help')
    await page.keyboard.press('Escape')

    // the operator's account is suspended elsewhere: the hub drops the feed and refuses the token
    await page.locator(`[data-testid=queue] li[data-alert-id="${order[1]}"] a`).click()
    await page.locator(`[data-testid=workspace][data-alert-id="${order[1]}"]`).waitFor()
    await h.api('PATCH', `/api/v1/users/${operator.user.id}`, { disabled: true }, h.token)
    await page.locator('input[name=username]').waitFor()
    t.match(page.url(), /\/login\?next=%2Falerts%2F/, 'the login page remembers the screen')
    await screenshot(page, 'login-expired')
    await h.api('PATCH', `/api/v1/users/${operator.user.id}`, { disabled: false }, h.token)
    await page.locator('input[name=username]').fill(operator.username)
    await page.locator('input[name=password]').fill(operator.password)
    await page.locator('form button[type=submit]').click()
    await page.locator(`[data-testid=workspace][data-alert-id="${order[1]}"]`).waitFor()
    t.match(page.url(), new RegExp(`/alerts/${order[1]}$`), 'and returns to it after logging in')
    t.same(errors, [], 'no script errors on the page')
  },
)
