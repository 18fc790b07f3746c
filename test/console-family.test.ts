// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
import t from 'tap'
import { launchBrowser, newPage, screenshot } from './fixtures/browser.js'
import { scene, WEBHOOK_SECRET } from './fixtures/escalation.js'
import { startTestHub } from './fixtures/hub.js'
import { startWebhookReceiver } from './fixtures/receivers.js'

// The family's acknowledgement link opens a phone-sized page: at 390 × 844 it fits the width, names the alert,
// and its button records the family member in the alert's history.

t.test('the family page on a phone', async (t) => {
  const hub = await startTestHub(t, { HUB_WEBHOOK_SECRET: WEBHOOK_SECRET, HUB_SECRET_KEY: 'k'.repeat(40) })
  const hook = await startWebhookReceiver(t)
  const s = await scene(hub, {
    steps: [{ name: 'family', targets: ['family'], waitSeconds: 3600 }],
    contacts: [{ name: '王强', relation: '儿子', webhook: hook.url, language: 'zh-CN' }],
  })
  const button = await hub.connectDevice(s.device)
  await button.event('sos')
  const link = ((await hook.waitFor(1))[0]!.body as any).ackUrl as string
  const alertId = ((await hook.waitFor(1))[0]!.body as any).alertId as string

  const browser = await launchBrowser(t)
  const { page, errors } = await newPage(browser, { width: 390, height: 844 })
  await page.goto(link)
  await page.locator('form button').waitFor()
  t.match(await page.locator('h1').innerText(), /紧急|呼叫|SOS/, 'the alert in words')
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  t.ok(overflow <= 0, `nothing wider than the phone (${overflow} px over)`)
  await screenshot(page, 'family-390x844')
  await page.locator('form button').click()
  await page.waitForLoadState()
  await screenshot(page, 'family-390x844-done')
  const alert = (await hub.api('GET', `/api/v1/alerts/${alertId}`, undefined, hub.token)).body
  t.ok(
    alert.history.some((h: any) => h.kind === 'contact-acknowledged' && h.actor === '王强'),
    'the button recorded the family member in the alert history',
  )
  t.same(errors, [], 'no script errors')
})
