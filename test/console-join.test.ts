// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
import t from 'tap'
import { launchBrowser, logIn, missingKeys, newPage, screenshot } from './fixtures/browser.js'
import { startTestHub } from './fixtures/hub.js'
import { addUser } from './fixtures/people.js'

// A family invitation end to end in the console: an operator makes the link from the resident card, a relative
// opens it on a phone (English browser), joins and sees that resident's alarm only; the used link then says so.

t.test('a family member joins by the link an operator made', async (t) => {
  const h = await startTestHub(t)
  const mother = await h.provision('call-button', { kind: 'institution' })
  const other = await h.provision('call-button', { kind: 'institution' })
  await (await h.connectDevice(mother.device)).event('sos')
  await (await h.connectDevice(other.device)).event('sos')
  const operator = await addUser(h, 'operator')
  const alerts = (await h.api('GET', '/api/v1/alerts', undefined, operator.token)).body.items as any[]
  const alertId = alerts.find((a) => a.residentId === mother.resident.id)?.id
  t.ok(alertId, "the mother's SOS is open")

  const browser = await launchBrowser(t)
  const desk = await newPage(browser)
  await logIn(desk.page, h.base, operator.username, operator.password, `/alerts/${alertId}`)
  const card = desk.page.locator('[data-testid=resident-card]')
  await card.getByRole('button', { name: '邀请家属' }).click()
  const url = await card.locator('[data-testid=invite-url]').innerText()
  t.match(url, /\/join\?invite=hubinv_/, 'the card shows the invitation link')
  t.ok(await card.getByRole('button', { name: /复制/ }).isVisible(), 'with a copy button')
  await screenshot(desk.page, 'console-join-invite')
  const link = `${h.base}${new URL(url).pathname}${new URL(url).search}`

  const phone = await newPage(browser, { width: 390, height: 844, locale: 'en-US' })
  await phone.page.goto(link)
  const form = phone.page.locator('[data-testid=join]')
  t.match(
    await form.locator('h1').innerText(),
    /Join as a family member/,
    'English when the browser prefers it',
  )
  const fill = async (username: string, password: string, confirm: string) => {
    await form.locator('input[name=username]').fill(username)
    await form.locator('input[name=password]').fill(password)
    await form.locator('input[name=confirm]').fill(confirm)
    await form.locator('button[type=submit]').click()
  }
  await fill('li.na', 'my father 1940', 'my father 1941')
  t.match(
    await form.locator('.field-error[data-field=confirm]').innerText(),
    /differ/,
    'a mistyped confirmation is caught beside the field',
  )
  await fill('li.na', 'password1', 'password1')
  t.match(
    await form.locator('.field-error[data-field=password]').innerText(),
    /common/,
    "the hub's password policy shows beside the password",
  )
  const width = await phone.page.evaluate(() => document.documentElement.scrollWidth)
  t.ok(width <= 390, `no sideways scrolling on a phone (${width} px)`)
  await screenshot(phone.page, 'console-join-phone-form')
  await fill('li.na', 'my father 1940', 'my father 1940')
  await phone.page.locator('[data-testid=live-state][data-state=connected]').waitFor()
  const rows = phone.page.locator('[data-testid=queue] li.row')
  await rows.first().waitFor()
  t.equal(await rows.count(), 1, "the relative's alarm and nothing else")
  t.equal(await rows.first().getAttribute('data-alert-id'), alertId, "it is the mother's SOS")
  t.equal(new URL(phone.page.url()).pathname, '/', 'landed on the queue')
  t.match(
    await phone.page.locator('header .user').innerText(),
    /\(family\)/,
    'the account keeps the English it joined in',
  )
  t.ok(await phone.page.getByTestId('logout').isVisible(), 'logout in view on the phone')
  t.ok(
    (await phone.page.getByTestId('logout').boundingBox())!.x + 10 < 390,
    'without scrolling the top bar sideways',
  )
  await screenshot(phone.page, 'console-join-phone-queue')

  const again = await newPage(browser, { width: 390, height: 844 })
  const join = async (url: string, username: string) => {
    await again.page.goto(url)
    await again.page.locator('[data-testid=join] input[name=username]').fill(username)
    await again.page.locator('[data-testid=join] input[name=password]').fill('my father 1940')
    await again.page.locator('[data-testid=join] input[name=confirm]').fill('my father 1940')
    await again.page.locator('[data-testid=join] button[type=submit]').click()
  }
  const second = await h.api(
    'POST',
    `/api/v1/residents/${mother.resident.id}/family-invites`,
    undefined,
    operator.token,
  )
  await join(`${h.base}/join?invite=${encodeURIComponent(second.body.invite)}`, 'li.na')
  t.match(
    await again.page.locator('.field-error[data-field=username]').innerText(),
    /已被使用/,
    'a taken username shows beside the field, and the link stays usable',
  )
  await join(link, 'li.na2')
  const dead = again.page.locator('[data-testid=join-dead]')
  t.equal(await dead.getAttribute('data-reason'), 'used', 'a used link says so')
  t.match(await dead.innerText(), /已使用或已过期/, 'in Chinese by default')
  await screenshot(again.page, 'console-join-used')

  for (const p of [desk, phone, again]) {
    t.same(await missingKeys(p.page), [], 'no missing translations')
    t.same(p.errors, [], 'no script errors')
  }
})
