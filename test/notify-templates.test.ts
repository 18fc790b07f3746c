import t from 'tap'
import { definitions } from '../devices/index.js'
import {
  alertTypeName,
  describeLocation,
  fitsOneSms,
  formatTime,
  namedAlertTypes,
  renderEmail,
  renderSms,
} from '../src/notify/templates.js'
import { chinese, english, sampleMessage } from './fixtures/notification.js'

// What e-mail and SMS say, in English and in Chinese.

t.test('every alert type a device can open has words in both languages', async (t) => {
  for (const d of definitions) {
    for (const rule of Object.values(d.events)) {
      if (rule.action !== 'open') continue
      t.ok(namedAlertTypes.has(rule.alertType), `${d.type} → ${rule.alertType}`)
      t.not(alertTypeName(rule.alertType, 'zh-CN'), alertTypeName(rule.alertType, 'en'), 'translated')
    }
  }
  t.equal(alertTypeName('some-new-type', 'en'), 'some-new-type', 'an unknown type is shown as it is')
})

t.test('times in the site time zone, readable', async (t) => {
  const iso = '2026-11-23T07:00:00.000Z'
  t.equal(formatTime(iso, 'en', 'Asia/Shanghai'), '23 Nov 2026, 15:00 GMT+8')
  t.equal(formatTime(iso, 'en'), '23 Nov 2026, 07:00 UTC', 'UTC without a zone')
  t.match(formatTime(iso, 'zh-CN', 'Asia/Shanghai'), /^2026年11月23日.*15:00/)
  t.equal(formatTime(iso, 'en', 'Not/A_Zone'), '23 Nov 2026, 07:00 UTC', 'an unknown zone falls back to UTC')
})

t.test('locations in a fixed order, with words for the known parts', async (t) => {
  t.equal(
    describeLocation({ room: '203', building: '2', wing: 'east' }, 'en'),
    'building 2, room 203, wing east',
  )
  t.equal(describeLocation({ room: '203', floor: '3' }, 'zh-CN'), '楼层 3，房间 203')
  t.equal(describeLocation({}, 'en'), '')
})

t.test('e-mail in English', async (t) => {
  const m = sampleMessage()
  const mail = renderEmail(m, english)
  t.equal(mail.subject, '[priority 2] Emergency call (SOS) — Wang Fang, Sunny Home')
  for (const part of [
    'Dear Li Ming,',
    'Resident: Wang Fang',
    'Place: Sunny Home, 1 Test Road',
    'Device: call-button, room 203, bed A',
    'Raised at: 23 Nov 2026, 15:00 GMT+8',
    `Alert: ${m.alertId} (priority 2: urgent)`,
    `I'm on my way: ${m.ackUrl}`,
  ]) {
    t.match(mail.text, part)
  }
  t.match(mail.html, '<html lang="en">')
  t.match(mail.html, `<a href="${m.ackUrl}"`)
  t.match(mail.html, 'I&#39;m on my way</a>', 'the button, escaped')
})

t.test('e-mail in Chinese', async (t) => {
  const mail = renderEmail(sampleMessage({ resident: { id: 'res_1', name: '王芳' } }), chinese)
  t.equal(mail.subject, '[优先级2] 紧急呼叫 — 王芳，Sunny Home')
  for (const part of [
    '李明，您好：',
    '老人：王芳',
    '地点：Sunny Home，1 Test Road',
    '房间 203，床位 A',
    '我正在赶来：https://',
  ]) {
    t.match(mail.text, part)
  }
  t.match(mail.text, /报警时间：2026年11月23日.*15:00/)
  t.match(mail.html, '<html lang="zh-CN">')
})

t.test('reminders, later states, missing parts and hostile names', async (t) => {
  const reminder = renderEmail(sampleMessage({ reason: 'reminder' }), english)
  t.match(reminder.subject, '] Reminder: Emergency call (SOS)')
  t.match(renderEmail(sampleMessage({ reason: 'unanswered' }), chinese).subject, '仍无人响应：紧急呼叫')
  t.match(
    renderEmail(sampleMessage({ state: 'acknowledged' }), english).subject,
    'Emergency call (SOS) (acknowledged)',
  )

  const bare = renderEmail(sampleMessage({ resident: null, site: null, device: null, ackUrl: null }), english)
  t.equal(bare.subject, '[priority 2] Emergency call (SOS)')
  t.notMatch(bare.text, /Resident|Place|Device|on my way/)
  t.notMatch(bare.html, '<a ')

  const hostile = renderEmail(sampleMessage({ resident: { id: 'r', name: '<script>x</script>' } }), english)
  t.notMatch(hostile.html, '<script>')
  t.match(hostile.html, '&#60;script&#62;')
})

t.test('SMS: one segment where possible, in the language, with the link', async (t) => {
  const short = sampleMessage({ ackUrl: 'https://hub.example.org/a/ntf_1.tozvg0.PyXdJIbVZO1UuDB5WHod5w' })
  t.equal(
    renderSms(short, 'en'),
    `Eldercare: Emergency call (SOS), Wang Fang, Sunny Home, room 203, bed A. I'm on my way: ${short.ackUrl}`,
  )
  const m = sampleMessage({
    ackUrl: 'https://hub.example.org/a/ntf_0123456789abcdefghjkmnpq.tozvg0.PyXdJIbVZO1UuDB5WHod5w',
  })
  const en = renderSms(m, 'en')
  t.equal(
    en,
    `Eldercare: Emergency call (SOS), Wang Fang, Sunny Home. I'm on my way: ${m.ackUrl}`,
    'room left out',
  )
  t.ok(fitsOneSms(en), `one GSM segment (${en.length} characters)`)

  const longSite = sampleMessage({
    site: { id: 's', name: 'Sunny Home for the Elderly of the Eastern District', address: 'x' },
  })
  const shortened = renderSms(longSite, 'en')
  t.ok(fitsOneSms(shortened), 'made to fit by leaving parts out')
  t.equal(shortened, `Eldercare: Emergency call (SOS), Wang Fang. I'm on my way: ${longSite.ackUrl}`)

  const zh = renderSms(
    sampleMessage({ resident: { id: 'r', name: '王芳' }, site: null, ackUrl: null }),
    'zh-CN',
  )
  t.equal(zh, '【养老平台】紧急呼叫，王芳，房间 203，床位 A。')
  t.ok(fitsOneSms(zh), 'one UCS-2 segment without a link')
  const zhLinked = renderSms(sampleMessage({ resident: { id: 'r', name: '王芳' } }), 'zh-CN')
  t.match(
    zhLinked,
    /^【养老平台】紧急呼叫，王芳，Sunny Home，房间 203，床位 A。 我正在赶来：https:/,
    'too long either way: all of it',
  )
})

t.test('SMS segment arithmetic', async (t) => {
  t.ok(fitsOneSms('a'.repeat(160)))
  t.notOk(fitsOneSms('a'.repeat(161)))
  t.notOk(fitsOneSms(`${'a'.repeat(159)}[`), 'GSM extension characters count twice')
  t.ok(fitsOneSms('好'.repeat(70)))
  t.notOk(fitsOneSms(`${'a'.repeat(70)}好`), 'one Chinese character makes the whole text UCS-2')
})
