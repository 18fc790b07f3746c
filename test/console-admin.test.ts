// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
import t from 'tap'
import { launchBrowser, logIn, newPage, screenshot } from './fixtures/browser.js'
import { ADMIN_PASSWORD, startTestHub } from './fixtures/hub.js'

// Administration forms: the API's own message for a field shows beside that field, and a new device's secret
// is shown once, whole, and works for connecting.

t.test('forms show field errors; a new device shows its secret once', async (t) => {
  const h = await startTestHub(t)
  const browser = await launchBrowser(t)
  const { page, errors } = await newPage(browser)
  await h.create('/api/v1/sites', { kind: 'home', name: '张家', address: '2 Road' })
  await logIn(page, h.base, 'admin', ADMIN_PASSWORD, '/admin/sites')
  await page.locator('[data-testid=resource-list] tbody tr', { hasText: '张家' }).waitFor()

  await page.locator('[data-testid=create]').click()
  const form = page.locator('[data-testid=admin-form]')
  await form.locator('input[name=name]').fill('松鹤园')
  await form.locator('input[name=address]').fill('上海市 1 号')
  await form.locator('input[name=lat]').fill('123')
  await form.locator('button[type=submit]').click()
  const latError = form.locator('.field-error[data-field=lat]')
  await latError.waitFor()
  t.match(await latError.innerText(), /90/, "the API's message is beside the latitude field")
  await screenshot(page, 'admin-field-error')
  await form.locator('input[name=lat]').fill('31.2')
  await form.locator('input[name=lon]').fill('121.4')
  await form.locator('button[type=submit]').click()
  await page.locator('[data-testid=resource-list] tbody tr', { hasText: '松鹤园' }).waitFor()
  const sites = (await h.api('GET', '/api/v1/sites', undefined, h.token)).body.items
  t.equal(sites.find((s: any) => s.name === '松鹤园')?.lat, 31.2, 'the site is created once corrected')

  // search goes to the API (?q=): only the matching site is listed
  await page.locator('input[type=search]').fill('松鹤')
  await page
    .locator('[data-testid=resource-list] tbody tr', { hasText: '张家' })
    .waitFor({ state: 'detached' })
  t.same(
    await page.locator('[data-testid=resource-list] tbody tr td:first-child').allInnerTexts(),
    ['松鹤园'],
    'the search finds the one site',
  )
  await page.locator('input[type=search]').fill('')

  await page.getByRole('link', { name: '设备' }).click()
  await page.locator('[data-testid=create]').click()
  await form.locator('select[name=type]').selectOption('call-button')
  await form.locator('button[type=submit]').click()
  const secretBox = page.locator('[data-testid=device-secret]')
  await secretBox.waitFor()
  const secret = (await secretBox.locator('.secret').innerText()).trim()
  const devices = (await h.api('GET', '/api/v1/devices', undefined, h.token)).body.items
  t.equal(devices.length, 1)
  t.notOk('secret' in devices[0], 'the list never carries the secret')
  const device = await h.connectDevice({ id: devices[0].id, secret })
  t.ok(device.client.connected, 'the secret shown connects the device')
  await screenshot(page, 'admin-device-secret')
  t.same(errors, [], 'no script errors')
})
