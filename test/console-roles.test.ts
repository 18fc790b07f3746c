// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
import t from 'tap'
import { launchBrowser, logIn, newPage } from './fixtures/browser.js'
import { startTestHub } from './fixtures/hub.js'
import { addUser } from './fixtures/people.js'

// The narrow roles in the console: a family member who joined by invitation sees its relative's alarm in the
// queue, and the navigation offers only what its role may read.

t.test('a family member in the console', async (t) => {
  const h = await startTestHub(t)
  const { resident, device } = await h.provision('call-button', { kind: 'institution' })
  const staff = await addUser(h, 'staff', { siteIds: [resident.siteId] })
  const invite = await h.api(
    'POST',
    `/api/v1/residents/${resident.id}/family-invites`,
    undefined,
    staff.token,
  )
  const joined = await h.api('POST', '/api/v1/auth/join', {
    invite: invite.body.invite,
    username: 'li.na',
    password: 'my father 1940',
  })
  t.equal(joined.status, 201)
  await (await h.connectDevice(device)).event('sos')

  const browser = await launchBrowser(t)
  const { page, errors } = await newPage(browser)
  await logIn(page, h.base, 'li.na', 'my father 1940')
  const row = page.locator('[data-testid=queue] li.row').first()
  await row.waitFor()
  t.equal(await page.locator('[data-testid=queue] li.row').count(), 1, "its relative's alarm, nothing else")
  const nav = await page.locator('header nav').innerText()
  t.notMatch(nav, /地图|统计|管理/, 'no map, statistics or admin for a family')
  t.match(await page.locator('header .user').innerText(), /家属/)
  t.same(errors, [], 'no script errors')
})
