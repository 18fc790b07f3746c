import { createServer, type Socket } from 'node:net'
import t from 'tap'
import { centreSender } from '../src/fire/centre-channel.js'
import type { FireSignal } from '../src/fire/signal.js'
import { emailChannel } from '../src/notify/channels/email.js'
import { smsChannel } from '../src/notify/channels/sms.js'
import { webhookChannel } from '../src/notify/channels/webhook.js'
import { setOutboundAllow } from '../src/outbound.js'
import { english, sampleMessage } from './fixtures/notification.js'
import { LOOPBACK } from './fixtures/process.js'

// the silent peers listen on loopback, which the outbound guard refuses unless allowed (as HUB_OUTBOUND_ALLOW)
setOutboundAllow(LOOPBACK)

// Every outbound call has a deadline: each channel, sent to a peer that accepts the connection and then says
// nothing (or answers MQTT's CONNECT and never the PUBLISH), gives up with a retryable failure rather than hanging
// the outbox's slot. tap's own timeout is what fails a channel that waits for ever.

const TIMEOUT_MS = 300

/** A TCP peer on loopback that reads everything and answers only what `reply` returns. */
async function silentPeer(
  t: { teardown(fn: () => unknown): void },
  reply: (chunk: Buffer) => Buffer | null = () => null,
) {
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('data', (chunk) => {
      const answer = reply(chunk)
      if (answer) socket.write(answer)
    })
    socket.on('error', () => {})
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => {
    for (const s of sockets) s.destroy()
    return new Promise((resolve) => server.close(resolve))
  })
  return (server.address() as { port: number }).port
}

const signal: FireSignal = {
  messageId: 'sig_timeout',
  kind: 'heartbeat',
  site: { id: 'site_1', name: 'Home', address: '1 Road', lat: null, lon: null },
  location: { building: null, floor: null, zone: null, room: null },
  device: null,
  alertId: null,
  deviceTime: null,
  hubTime: new Date().toISOString(),
  onDuty: [],
  note: null,
}

t.test('every channel gives up on a silent peer with a retryable failure', async (t) => {
  const port = await silentPeer(t)
  const base = `127.0.0.1:${port}`
  const message = sampleMessage()

  const webhook = await webhookChannel({ defaultSecret: 'whsec_dGVzdA==', timeoutMs: TIMEOUT_MS }).send(
    message,
    { channel: 'webhook', url: `http://${base}/hook` },
    english,
  )
  t.same(webhook, { ok: false, retryable: true, error: `no answer within ${TIMEOUT_MS} ms` }, 'webhook')

  const sms = await smsChannel({ url: `http://${base}/sms/{to}`, timeoutMs: TIMEOUT_MS }).send(
    message,
    { channel: 'sms', phone: '+8613800000000' },
    english,
  )
  t.same(sms, { ok: false, retryable: true, error: `no answer within ${TIMEOUT_MS} ms` }, 'SMS gateway')

  const email = await emailChannel({
    smtpUrl: `smtp://${base}`,
    from: 'hub@x.test',
    timeoutMs: TIMEOUT_MS,
  }).send(message, { channel: 'email', email: 'a@x.test' }, english)
  t.match(email, { ok: false, retryable: true, error: /timeout|greeting/i }, 'SMTP server')

  const centre = centreSender({ defaultSecret: 'whsec_dGVzdA==', timeoutMs: TIMEOUT_MS })
  t.teardown(() => centre.close())
  t.same(
    await centre.send(signal, { channel: 'centre', url: `http://${base}/signals` }),
    { ok: false, retryable: true, error: `no answer within ${TIMEOUT_MS} ms` },
    'centre over HTTP',
  )
  t.match(
    await centre.send(signal, { channel: 'centre', url: `mqtt://${base}/fire` }),
    { ok: false, retryable: true },
    'centre over MQTT: no CONNACK',
  )
})

t.test('an MQTT centre that accepts the connection but never acknowledges the signal', async (t) => {
  // CONNACK (session not present, accepted) to the CONNECT; nothing to the PUBLISH
  const port = await silentPeer(t, (chunk) => (chunk[0]! >> 4 === 1 ? Buffer.from([0x20, 2, 0, 0]) : null))
  const centre = centreSender({ defaultSecret: 'whsec_dGVzdA==', timeoutMs: TIMEOUT_MS })
  t.teardown(() => centre.close())
  t.same(await centre.send(signal, { channel: 'centre', url: `mqtt://127.0.0.1:${port}/fire` }), {
    ok: false,
    retryable: true,
    error: `no PUBACK within ${TIMEOUT_MS} ms`,
  })
})
