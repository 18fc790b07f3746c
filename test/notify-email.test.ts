import { createServer, type Socket } from 'node:net'
import t from 'tap'
import { freePort } from '../src/net.js'
import type { Address } from '../src/notify/channel.js'
import { emailChannel } from '../src/notify/channels/email.js'
import { renderEmail } from '../src/notify/templates.js'
import { chinese, english, sampleMessage } from './fixtures/notification.js'
import { startSmtpServer } from './fixtures/receivers.js'

// The e-mail channel against a real SMTP server (smtp-server): what arrives, and what counts as a receipt.

const message = sampleMessage()
const to: Address = { channel: 'email', email: 'li.ming@example.cn' }
const from = 'Eldercare hub <hub@care.example.org>'

t.test('an English e-mail arrives as rendered; the receipt is the server accepting it', async (t) => {
  const smtp = await startSmtpServer(t)
  const channel = emailChannel({ smtpUrl: smtp.url, from })
  const result = await channel.send(message, to, english)
  const [mail] = await smtp.waitFor(1)
  t.same(result, { ok: true, receipt: `250 ${mail?.queueId}` }, "the server's own answer")
  const rendered = renderEmail(message, english)
  t.same(mail?.envelope, { from: 'hub@care.example.org', to: ['li.ming@example.cn'] })
  t.equal(mail?.subject, rendered.subject)
  t.equal(mail?.text.trim(), rendered.text.trim())
  t.match(mail?.html, `<a href="${message.ackUrl}"`)
  t.equal(mail?.messageId, `<${message.notificationId}@care.example.org>`, 'one Message-ID per notification')
  t.equal(mail?.headers['x-eldercare-notification'], message.notificationId)
})

t.test('a Chinese e-mail survives the trip (encoded subject and body)', async (t) => {
  const smtp = await startSmtpServer(t)
  // A login in the URL is used (the test server accepts any).
  const url = smtp.url.replace('smtp://', 'smtp://user:secret@')
  const result = await emailChannel({ smtpUrl: url, from }).send(message, to, chinese)
  t.equal(result.ok, true)
  const [mail] = await smtp.waitFor(1)
  const rendered = renderEmail(message, chinese)
  t.equal(mail?.subject, rendered.subject)
  t.match(mail?.subject, '紧急呼叫')
  t.match(mail?.text, '我正在赶来：https://care.example.org/ack/')
})

t.test('a refused recipient is no receipt: 5xx is final, 4xx worth a retry', async (t) => {
  const smtp = await startSmtpServer(t, { rejectWith: 550 })
  const channel = emailChannel({ smtpUrl: smtp.url, from })
  const permanent = await channel.send(message, to, english)
  t.match(permanent, { ok: false, retryable: false, error: /550/ })
  smtp.reject(450)
  t.match(await channel.send(message, to, english), { ok: false, retryable: true, error: /450/ })
  t.equal(smtp.messages.length, 0, 'nothing was delivered')
  smtp.reject(null)
  t.match(await channel.send(message, to, english), { ok: true, receipt: /^250 / })
  t.equal(smtp.messages.length, 1)
})

t.test('no SMTP server listening: worth a retry', async (t) => {
  const port = await freePort()
  const result = await emailChannel({ smtpUrl: `smtp://127.0.0.1:${port}`, from }).send(message, to, english)
  t.match(result, { ok: false, retryable: true, error: /ECONNREFUSED|ECONNECTION/ })
})

t.test('a server that never greets is cut off (and not before the timeout)', async (t) => {
  const sockets = new Set<Socket>()
  const silent = createServer((s) => sockets.add(s))
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  t.teardown(() => {
    for (const s of sockets) s.destroy()
    return new Promise<void>((resolve) => silent.close(() => resolve()))
  })
  const { port } = silent.address() as { port: number }
  const started = Date.now()
  const result = await emailChannel({ smtpUrl: `smtp://127.0.0.1:${port}`, from, timeoutMs: 300 }).send(
    message,
    to,
    english,
  )
  t.ok(Date.now() - started >= 290, 'not early')
  t.match(result, { ok: false, retryable: true, error: /ETIMEDOUT|Greeting/i })
  t.equal(sockets.size, 1, 'it did connect')
})

t.test('an address of another channel is refused at once', async (t) => {
  const channel = emailChannel({ smtpUrl: 'smtp://127.0.0.1:9', from })
  t.same(await channel.send(message, { channel: 'sms', phone: '+86' }, english), {
    ok: false,
    retryable: false,
    error: 'not an e-mail address: sms',
  })
})
