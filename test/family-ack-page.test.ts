import t from 'tap'
import { launchBrowser } from './fixtures/browser.js'
import { alertOf, scene } from './fixtures/escalation.js'
import { startTestHub } from './fixtures/hub.js'
import { addUser } from './fixtures/people.js'
import { startWebhookReceiver } from './fixtures/receivers.js'

// The page a family member's link opens, read over real HTTP: what it shows (escaped), in which language, and
// that its button acknowledges once.

const page = async (url: string, init?: RequestInit) => {
  const res = await fetch(url, init)
  return { status: res.status, type: res.headers.get('content-type'), html: await res.text() }
}
const formAction = (html: string) =>
  /<form method="post" action="([^"]+)">/.exec(html)?.[1]?.replaceAll('&#38;', '&')

t.test('the family acknowledgement page', async (t) => {
  const hub = await startTestHub(t)
  const hook = await startWebhookReceiver(t)
  const s = await scene(hub, {
    name: 'Plum & <Pine> home',
    steps: [{ name: 'family', targets: ['family'], waitSeconds: 3600 }],
    contacts: [{ name: 'Son <i>', relation: 'son', webhook: hook.url }],
  })
  const button = await hub.connectDevice(s.device)
  await button.event('sos')
  const link = ((await hook.waitFor(1))[0]!.body as { ackUrl: string }).ackUrl
  const alert = await alertOf(hub, s.device.id)
  const operator = await addUser(hub, 'operator', { name: 'Li Na' })
  const note = '<script>alert("internal")</script>'
  await hub.api('POST', `/api/v1/alerts/${alert.id}/ack`, { note }, operator.token)
  await hub.api('POST', `/api/v1/alerts/${alert.id}/actions`, { action: 'called-120', note }, operator.token)

  await t.test('shows the alert and its handling, escaped, in Chinese by default', async (t) => {
    const res = await page(link)
    t.equal(res.status, 200)
    t.match(res.type, /^text\/html; charset=utf-8/)
    const { html } = res
    t.match(html, '<html lang="zh-CN">')
    t.match(html, '<h1>紧急呼叫</h1>', 'the alert type in words')
    t.match(html, '<dd>Wang Fang</dd>', 'the resident')
    t.match(html, 'Plum &#38; &#60;Pine&#62; home，9 Escalation Street', 'the place, escaped')
    t.match(html, /<dt>报警时间<\/dt><dd>\d{4}年\d{1,2}月\d{1,2}日/, 'the time')
    t.match(html, 'Li Na（呼叫中心）已接警', 'who acknowledged, by name')
    t.match(html, 'Li Na已拨打120急救电话', 'what was done')
    t.notMatch(html, 'internal', "operators' notes stay internal")
    t.notMatch(html, /<script|<link|<img|src=|url\(/, 'no script, nothing fetched from elsewhere')
    t.match(html, '<meta name="viewport" content="width=device-width, initial-scale=1">', 'sized for phones')
    t.match(html, '我正在赶来</button>')
    t.match(html, '<a href="', 'a link to English')

    const en = await page(`${link}?lang=en`)
    t.match(en.html, '<html lang="en">')
    t.match(en.html, 'Li Na (care centre) took the alert')
    t.match(en.html, 'Li Na called an ambulance (120)')
    t.match(en.html, "I'm on my way</button>")
    t.match(formAction(en.html), /\?lang=en$/, 'the button keeps the language')
    const history = (await hub.api('GET', `/api/v1/alerts/${alert.id}`, undefined, hub.token)).body.history
    t.notOk(
      history.some((h: { kind: string }) => h.kind === 'contact-acknowledged'),
      'showing the page acknowledges nothing',
    )
  })

  await t.test('fits a 390 px phone screen', async (t) => {
    const browser = await launchBrowser(t)
    // a phone: the page's viewport meta decides the layout width, as on a real one
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      deviceScaleFactor: 3,
    })
    t.teardown(() => context.close())
    const phone = await context.newPage()
    for (const lang of ['zh-CN', 'en']) {
      await phone.goto(`${link}?lang=${lang}`)
      const m = await phone.evaluate(() => {
        const b = document.querySelector('button')!.getBoundingClientRect()
        return {
          scroll: document.documentElement.scrollWidth,
          width: innerWidth,
          left: b.left,
          right: b.right,
          bottom: b.bottom,
          height: b.height,
          font: Number.parseFloat(getComputedStyle(document.body).fontSize),
        }
      })
      t.equal(m.width, 390, `${lang}: laid out at the phone's width`)
      t.ok(m.scroll <= 390, `${lang}: nothing wider than the screen (${m.scroll} px)`)
      t.ok(m.left >= 0 && m.right <= 390 && m.right - m.left >= 300, `${lang}: the button spans the screen`)
      t.ok(m.height >= 44, `${lang}: the button is big enough to press (${m.height} px)`)
      t.ok(m.bottom <= 844, `${lang}: the button is on the first screen (bottom at ${m.bottom} px)`)
      t.ok(m.font >= 16, `${lang}: text readable without zooming (${m.font} px)`)
    }
  })

  await t.test('the button acknowledges once', async (t) => {
    const action = formAction((await page(link)).html)
    t.ok(action, 'the page has a form')
    const post = (body: string) =>
      page(new URL(action!, link).toString(), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      })
    const done = await post('ack=1')
    t.equal(done.status, 200)
    t.match(done.html, '谢谢，护理团队已知道您正在赶来。')
    t.match(done.html, 'Son &#60;i&#62;正在赶来', "the contact's own step, escaped")
    t.notMatch(done.html, '<form', 'nothing left to press')
    const again = await post('ack=1')
    t.match(again.html, '您已告知护理团队您正在赶来。', 'pressing again is harmless')
    const stored = (await hub.api('GET', `/api/v1/alerts/${alert.id}`, undefined, hub.token)).body
    const entries = stored.history.filter((h: { kind: string }) => h.kind === 'contact-acknowledged')
    t.equal(entries.length, 1, 'recorded once')
    t.equal(entries[0].actor, 'Son <i>')
    t.equal(stored.state, 'acknowledged', "the family's ack leaves the alert to the call centre")
    t.match((await page(link)).html, '您已告知护理团队您正在赶来。', 'the link now says so')
  })

  await t.test('once resolved, the page says the care team has handled it', async (t) => {
    await hub.api('POST', `/api/v1/alerts/${alert.id}/resolve`, { outcome: 'resident safe' }, operator.token)
    const closed = await page(`${link}?lang=en`)
    t.equal(closed.status, 200)
    t.match(closed.html, 'The care team has handled this alert.')
    t.match(closed.html, 'Handled by Li Na: resident safe')
    t.notMatch(closed.html, '<form')
  })

  await t.test('bad links', async (t) => {
    const forged = await page(link.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')))
    t.equal(forged.status, 404)
    t.match(forged.html, '此链接无效')
    const bad = await fetch(`${link}?lang=fr`)
    t.equal(bad.status, 400, 'an unknown language is a bad query')
  })
})
