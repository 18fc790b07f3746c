// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
import t from 'tap'
import { launchBrowser, logIn, newPage } from './fixtures/browser.js'
import { ADMIN_PASSWORD, startTestHub } from './fixtures/hub.js'
import { pollUntil } from './fixtures/mqtt.js'

// In a real Chromium: a technical alert's workspace has "Snooze 4 h"; the click is recorded in the hub and
// shown in the history with until when. An SOS's workspace has no such button.

t.test('an operator snoozes a technical alert from its workspace', async (t) => {
  const h = await startTestHub(t)
  const browser = await launchBrowser(t)
  const { page, errors } = await newPage(browser)
  const { device } = await h.provision('motion-sensor')
  const sensor = await h.connectDevice(device)
  await sensor.event('tamper')
  const list = await pollUntil(
    () => h.api<any>('GET', `/api/v1/alerts?type=tamper&deviceId=${device.id}`, undefined, h.token),
    (r) => r.body.items.length > 0,
    30_000,
  )
  const alertId = list.body.items[0].id

  await logIn(page, h.base, 'admin', ADMIN_PASSWORD, `/alerts/${alertId}`)
  await page.locator('[data-testid=workspace]').waitFor()
  await page.locator('[data-testid=snooze]').click()
  await page.locator('[data-testid=history]').getByText('暂缓').waitFor()
  const snoozed = (await h.api<any>('GET', `/api/v1/alerts/${alertId}`, undefined, h.token)).body
  const entry = snoozed.history.at(-1)
  t.match(entry, { kind: 'snoozed', actor: 'admin' })
  t.equal(Date.parse(entry.data.until) - Date.parse(entry.at), 4 * 3_600_000, 'for 4 hours')
  t.equal(snoozed.state, 'open')

  const sos = await h.provision('call-button')
  const button = await h.connectDevice(sos.device)
  await button.event('sos')
  const sosList = await pollUntil(
    () => h.api<any>('GET', `/api/v1/alerts?type=sos&deviceId=${sos.device.id}`, undefined, h.token),
    (r) => r.body.items.length > 0,
    30_000,
  )
  await page.goto(`${h.base}/alerts/${sosList.body.items[0].id}`)
  await page.locator('[data-testid=ack]').waitFor()
  t.equal(await page.locator('[data-testid=snooze]').count(), 0, 'no snooze for a life-safety alert')
  t.same(errors, [], 'no script errors on the page')
})
