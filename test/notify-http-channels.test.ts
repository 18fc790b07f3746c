import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import type { Address } from '../src/notify/channel.js'
import { channelsFor, createChannels } from '../src/notify/channels/index.js'
import { smsChannel } from '../src/notify/channels/sms.js'
import { webhookChannel } from '../src/notify/channels/webhook.js'
import { verifyWebhook } from '../src/notify/signing.js'
import { renderSms } from '../src/notify/templates.js'
import { setOutboundAllow } from '../src/outbound.js'
import { chinese, english, sampleMessage } from './fixtures/notification.js'
import { LOOPBACK } from './fixtures/process.js'
import { startSmsGateway, startWebhookReceiver } from './fixtures/receivers.js'

// the receivers listen on loopback, which the outbound guard refuses unless allowed (as the hub's HUB_OUTBOUND_ALLOW)
setOutboundAllow(LOOPBACK)

// The webhook and SMS channels against real local HTTP servers, and the choice of channels for a contact.

const hubSecret = `whsec_${Buffer.from('the hub-wide default secret!').toString('base64')}`
const endpointSecret = `whsec_${Buffer.from("the family app's own secret").toString('base64')}`
const message = sampleMessage()
const hook = (url: string, secret?: string): Address => ({
  channel: 'webhook',
  url,
  ...(secret && { secret }),
})

t.test('webhook: exactly the message, signed with the default secret', async (t) => {
  const receiver = await startWebhookReceiver(t, { secret: hubSecret })
  const now = new Date()
  const channel = webhookChannel({ defaultSecret: hubSecret, now: () => now })
  const result = await channel.send(message, hook(receiver.url), english)
  t.same(result, { ok: true, receipt: 'HTTP 200' })
  const [req] = receiver.requests
  t.equal(receiver.requests.length, 1)
  t.equal(req?.method, 'POST')
  t.equal(req?.rawBody, JSON.stringify(message), 'the body is the NotificationMessage, nothing more')
  t.equal(req?.headers['content-type'], 'application/json')
  t.equal(req?.headers['webhook-id'], message.notificationId)
  t.equal(req?.headers['webhook-timestamp'], String(Math.floor(now.getTime() / 1000)))
  t.equal(req?.verified, true, 'the receiver verifies the signature')
})

t.test("webhook: an endpoint's own secret wins over the default", async (t) => {
  const receiver = await startWebhookReceiver(t, { secret: endpointSecret })
  const channel = webhookChannel({ defaultSecret: hubSecret })
  t.same(await channel.send(message, hook(receiver.url, endpointSecret), english), {
    ok: true,
    receipt: 'HTTP 200',
  })
  const req = receiver.requests[0]!
  t.equal(req.verified, true)
  t.same(
    verifyWebhook(hubSecret, req.headers, req.rawBody),
    { ok: false, reason: 'no-match' },
    'not the default',
  )
})

t.test('webhook: which failures are worth a retry', async (t) => {
  const channel = webhookChannel({ defaultSecret: hubSecret })
  const cases: [number, boolean][] = [
    [500, true],
    [503, true],
    [302, true],
    [408, true],
    [409, true],
    [425, true],
    [429, true],
    [400, false],
    [401, false],
    [404, false],
    [410, false],
  ]
  for (const [status, retryable] of cases) {
    const receiver = await startWebhookReceiver(t, { status })
    const result = await channel.send(message, hook(receiver.url), english)
    t.same(result, { ok: false, retryable, error: `HTTP ${status}` }, `${status}`)
    t.equal(receiver.requests.length, 1, `${status}: one request, no redirect followed`)
  }
})

t.test('webhook: a receiver that fails twice gets the same id each time, then succeeds', async (t) => {
  const receiver = await startWebhookReceiver(t, { failTimes: 2, secret: hubSecret })
  const channel = webhookChannel({ defaultSecret: hubSecret })
  const results = []
  for (let i = 0; i < 3; i++) results.push(await channel.send(message, hook(receiver.url), english))
  t.same(
    results.map((r) => r.ok),
    [false, false, true],
  )
  t.same(results[0], { ok: false, retryable: true, error: 'HTTP 500' })
  t.same(
    receiver.requests.map((r) => [r.headers['webhook-id'], r.verified, r.status]),
    [
      [message.notificationId, true, 500],
      [message.notificationId, true, 500],
      [message.notificationId, true, 200],
    ],
  )
})

t.test('webhook: a receiver that is down, then up again', async (t) => {
  const receiver = await startWebhookReceiver(t)
  const channel = webhookChannel({ defaultSecret: hubSecret })
  await receiver.down()
  t.same(await channel.send(message, hook(receiver.url), english), {
    ok: false,
    retryable: true,
    error: 'ECONNREFUSED',
  })
  await receiver.up()
  t.same(await channel.send(message, hook(receiver.url), english), { ok: true, receipt: 'HTTP 200' })
  t.equal(receiver.requests.length, 1, 'only the request that reached it')
})

t.test('webhook: a receiver too slow to answer is cut off (and not before the timeout)', async (t) => {
  const receiver = await startWebhookReceiver(t, { delayMs: 5_000 })
  const channel = webhookChannel({ defaultSecret: hubSecret, timeoutMs: 300 })
  const started = Date.now()
  const result = await channel.send(message, hook(receiver.url), english)
  t.ok(Date.now() - started >= 290, 'not early')
  t.same(result, { ok: false, retryable: true, error: 'no answer within 300 ms' })
  t.equal(receiver.requests.length, 1, 'the request arrived; its answer did not')
})

t.test('webhook: sends to one receiver reuse a kept-alive connection', async (t) => {
  let connections = 0
  const server = createServer((req, res) => {
    req.resume()
    req.on('end', () => res.writeHead(200).end())
  })
  server.on('connection', () => connections++)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.teardown(() => new Promise((r) => server.close(r)))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`
  const channel = webhookChannel({ defaultSecret: hubSecret })
  for (let i = 0; i < 5; i++)
    t.same(await channel.send(message, hook(url), english), { ok: true, receipt: 'HTTP 200' })
  t.equal(connections, 1, 'five sends, one TCP connection')
  server.closeAllConnections()
})

t.test('webhook: addresses that can never work are not retried', async (t) => {
  const channel = webhookChannel({ defaultSecret: hubSecret })
  t.same(await channel.send(message, hook('ftp://127.0.0.1/x'), english), {
    ok: false,
    retryable: false,
    error: 'not an http(s) URL: ftp://127.0.0.1/x',
  })
  t.same(await channel.send(message, hook('not a url'), english), {
    ok: false,
    retryable: false,
    error: 'not an http(s) URL: not a url',
  })
  t.same(await channel.send(message, { channel: 'sms', phone: '+86' }, english), {
    ok: false,
    retryable: false,
    error: 'not a webhook: sms',
  })
})

const phone = '+86 138-0013-8000'

t.test(
  'sms: { to, text } to the gateway, number in the URL, bearer token, message id as receipt',
  async (t) => {
    const gateway = await startSmsGateway(t)
    const channel = smsChannel({ url: gateway.url, token: 'gateway-token' })
    t.same(await channel.send(message, { channel: 'sms', phone }, chinese), { ok: true, receipt: 'sms-1' })
    const [req] = gateway.requests
    t.equal(req?.url, `/send/${encodeURIComponent(phone)}`, '{to} replaced, URL-encoded')
    t.equal(req?.headers.authorization, 'Bearer gateway-token')
    t.equal(req?.headers['content-type'], 'application/json')
    t.same(req?.body, { to: phone, text: renderSms(message, 'zh-CN') }, 'the text in the recipient language')
    t.match(req?.body, { text: /^【养老平台】紧急呼叫/ })
  },
)

t.test('sms: receipts from messageId, or the status when the gateway gives no id', async (t) => {
  const withMessageId = await startSmsGateway(t, { idField: 'messageId' })
  const noId = await startSmsGateway(t, { idField: null, status: 202 })
  const to: Address = { channel: 'sms', phone }
  t.same(await smsChannel({ url: withMessageId.url }).send(message, to, english), {
    ok: true,
    receipt: 'sms-1',
  })
  t.same(await smsChannel({ url: noId.url }).send(message, to, english), { ok: true, receipt: 'HTTP 202' })
  t.equal(withMessageId.requests[0]?.headers.authorization, undefined, 'no token, no authorization header')
})

t.test('sms: failures', async (t) => {
  const to: Address = { channel: 'sms', phone }
  const failing = await startSmsGateway(t, { status: 503 })
  t.same(await smsChannel({ url: failing.url }).send(message, to, english), {
    ok: false,
    retryable: true,
    error: 'HTTP 503',
  })
  const refusing = await startSmsGateway(t, { status: 400 })
  t.same(await smsChannel({ url: refusing.url }).send(message, to, english), {
    ok: false,
    retryable: false,
    error: 'HTTP 400',
  })
  const slow = await startSmsGateway(t, { delayMs: 5_000 })
  t.same(await smsChannel({ url: slow.url, timeoutMs: 200 }).send(message, to, english), {
    ok: false,
    retryable: true,
    error: 'no answer within 200 ms',
  })
  const gone = await startSmsGateway(t)
  await gone.down()
  t.same(await smsChannel({ url: gone.url }).send(message, to, english), {
    ok: false,
    retryable: true,
    error: 'ECONNREFUSED',
  })
})

t.test('createChannels: webhooks always, e-mail and SMS only when configured', async (t) => {
  const minimal = createChannels({ webhookSecret: hubSecret, smtpFrom: 'hub@localhost' })
  t.same(Object.keys(minimal), ['webhook'])
  const all = createChannels({
    webhookSecret: hubSecret,
    smtpUrl: 'smtp://127.0.0.1:2525',
    smtpFrom: 'hub@localhost',
    smsUrl: 'http://127.0.0.1:9/send',
  })
  t.same(Object.keys(all).sort(), ['email', 'sms', 'webhook'])
  for (const [name, channel] of Object.entries(all)) t.equal(channel.name, name)

  const receiver = await startWebhookReceiver(t, { secret: hubSecret })
  t.same(await minimal.webhook?.send(message, hook(receiver.url), english), { ok: true, receipt: 'HTTP 200' })
  t.equal(receiver.requests[0]?.verified, true, 'signed with the configured secret')
})

t.test("channelsFor: a contact's addresses on the configured channels", async (t) => {
  const all = createChannels({
    webhookSecret: hubSecret,
    smtpUrl: 'smtp://127.0.0.1:2525',
    smtpFrom: 'hub@localhost',
    smsUrl: 'http://127.0.0.1:9/send',
  })
  const contact = {
    webhook: 'https://app.example/h',
    webhookSecret: endpointSecret,
    email: 'a@b.cn',
    phone: '+86',
  }
  t.same(channelsFor(contact, all), [
    { channel: 'webhook', url: 'https://app.example/h', secret: endpointSecret },
    { channel: 'email', email: 'a@b.cn' },
    { channel: 'sms', phone: '+86' },
  ])
  t.same(channelsFor({ webhook: 'https://app.example/h', webhookSecret: null, email: null }, all), [
    { channel: 'webhook', url: 'https://app.example/h' },
  ])
  const webhookOnly = createChannels({ webhookSecret: hubSecret, smtpFrom: 'hub@localhost' })
  t.same(channelsFor({ email: 'a@b.cn', phone: '+86' }, webhookOnly), [], 'no usable channel')
  t.same(channelsFor({}, all), [])
  t.same(channelsFor({ webhook: '', email: '', phone: '' }, all), [], 'empty strings are no address')
})
