import t from 'tap'
import { signAckToken, verifyAckToken } from '../src/notify/ack-link.js'
import { type AckSummary, ackPage } from '../src/notify/ack-page.js'

// The family's "I'm on my way" link: signed, expiring tokens and the page the link opens.

const key = 'a-test-key-of-at-least-32-characters!!'
const notificationId = 'ntf_0123456789abcdefghjkmnpq'
const expiresAt = new Date('2026-11-24T07:00:00.000Z')
const token = signAckToken(key, { notificationId, expiresAt })
const before = new Date(expiresAt.getTime() - 1)

t.test('a token names its notification until it expires', async (t) => {
  t.equal(encodeURIComponent(token), token, 'URL-safe as it is')
  t.ok(token.length <= 70, `short enough for an SMS (${token.length} characters)`)
  t.same(verifyAckToken(key, token, before), { ok: true, notificationId })
  t.same(verifyAckToken(key, token, expiresAt), { ok: false, reason: 'expired' }, 'expired at expiresAt')
  t.same(verifyAckToken(key, token, new Date('2027-01-01')), { ok: false, reason: 'expired' })
})

t.test('forged tokens are refused', async (t) => {
  const [id, expiry, mac] = token.split('.') as [string, string, string]
  const forged = { ok: false, reason: 'forged' }
  t.same(verifyAckToken('another-key-of-at-least-32-characters!', token, before), forged, 'another key')
  t.same(verifyAckToken(key, `ntf_0123456789abcdefghjkmnpr.${expiry}.${mac}`, before), forged, 'another id')
  const later = (Number.parseInt(expiry, 36) + 86_400).toString(36)
  t.same(verifyAckToken(key, `${id}.${later}.${mac}`, before), forged, 'a longer life')
  // The last character's low bits are spare: this variant decodes to the same bytes and must still fail.
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
  const variant = `${mac.slice(0, -1)}${alphabet[alphabet.indexOf(mac.at(-1) ?? '') ^ 1]}`
  t.same(Buffer.from(variant, 'base64url'), Buffer.from(mac, 'base64url'), 'same bytes once decoded')
  t.same(verifyAckToken(key, `${id}.${expiry}.${variant}`, before), forged, 'a variant spelling of the MAC')
  const stale = signAckToken('another-key-of-at-least-32-characters!', {
    notificationId,
    expiresAt: new Date(0),
  })
  t.same(verifyAckToken(key, stale, before), forged, 'forged wins over expired: the claim cannot be trusted')
})

t.test('malformed tokens are refused', async (t) => {
  for (const bad of ['', 'abc', `${token}.x`, token.replace('.', '/'), `${token}A`, 'ntf_x.zz.%%']) {
    t.same(verifyAckToken(key, bad, before), { ok: false, reason: 'malformed' }, JSON.stringify(bad))
  }
  t.throws(() => signAckToken(key, { notificationId: 'has.dot', expiresAt }), /not a notification id/)
})

const summary: AckSummary = {
  type: 'fall',
  state: 'acknowledged',
  residentName: 'Wang <Fang>',
  siteName: 'Sunny Home',
  address: '1 "Plum" Lane',
  location: { room: '203' },
  openedAt: '2026-11-23T07:00:00.000Z',
  timeZone: 'Asia/Shanghai',
  handling: [
    { at: '2026-11-23T07:00:20.000Z', kind: 'acknowledged', who: 'Li <b>Na</b>' },
    { at: '2026-11-23T07:01:00.000Z', kind: 'action', who: 'Li <b>Na</b>', action: 'called-120' },
    { at: '2026-11-23T07:02:00.000Z', kind: 'contact-acknowledged', who: 'Son' },
  ],
}

t.test('the confirmation page shows the alert and its handling, and posts', async (t) => {
  const page = ackPage(
    'en',
    { kind: 'confirm', summary, action: '/ack/abc?x=1&y=2' },
    (l) => `/ack/abc?lang=${l}`,
  )
  t.match(page, /^<!doctype html>/)
  t.match(page, '<html lang="en">')
  t.match(page, '<form method="post" action="/ack/abc?x=1&#38;y=2">')
  t.match(page, "I'm on my way</button>")
  t.match(page, '<h1>Fall detected</h1>', 'the alert in words')
  t.match(page, '<dd>Wang &#60;Fang&#62;</dd>', 'names are escaped')
  t.match(page, 'Sunny Home, 1 &#34;Plum&#34; Lane, room 203', 'the place: site, address, room')
  t.match(page, '23 Nov 2026, 15:00', "the time on the site's clock")
  t.match(page, 'Li &#60;b&#62;Na&#60;/b&#62; (care centre) took the alert')
  t.match(page, 'Li &#60;b&#62;Na&#60;/b&#62; called an ambulance (120)')
  t.match(page, 'Son is on the way')
  t.match(page, '<a href="/ack/abc?lang=zh-CN" lang="zh-CN">中文</a>', 'a link to the other language')
  t.notMatch(page, /<(script|link|img|iframe)\b|url\(|@import/, 'self-contained, nothing to fetch')

  const zh = ackPage('zh-CN', { kind: 'confirm', summary, action: '/ack/abc' })
  t.match(zh, '<html lang="zh-CN">')
  t.match(zh, '我正在赶来</button>')
  t.match(zh, '<h1>跌倒报警</h1>')
  t.match(zh, '已拨打120急救电话')
  t.notMatch(zh, '<nav>', 'no language link unless asked for')
  const quiet = ackPage('en', { kind: 'confirm', summary: { ...summary, handling: [] }, action: '/a' })
  t.match(quiet, 'The care centre has been alerted and is calling.', 'before anyone has acted')
})

t.test('done, already, closed, invalid and expired pages in both languages', async (t) => {
  const cases = [
    [{ kind: 'done', summary }, 'knows you are on your way', '护理团队已知道您正在赶来'],
    [{ kind: 'already', summary }, 'already told the care team', '您已告知护理团队'],
    [{ kind: 'closed', summary }, 'has handled this alert', '护理团队已处理此报警'],
    [{ kind: 'invalid' }, 'This link is not valid', '此链接无效'],
    [{ kind: 'expired' }, 'This link has expired', '此链接已过期'],
  ] as const
  for (const [view, en, zh] of cases) {
    const enPage = ackPage('en', view)
    const zhPage = ackPage('zh-CN', view)
    t.match(enPage, en, `${view.kind} (en)`)
    t.match(zhPage, zh, `${view.kind} (zh-CN)`)
    t.notMatch(enPage, '<form', `${view.kind}: nothing left to submit`)
  }
})
