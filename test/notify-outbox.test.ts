import { pino } from 'pino'
import t from 'tap'
import { AlertRunner } from '../src/alerting/runner.js'
import { Bus } from '../src/bus.js'
import { createMetrics } from '../src/metrics.js'
import { webhookChannel } from '../src/notify/channels/webhook.js'
import { Outbox } from '../src/notify/outbox.js'
import { setOutboundAllow } from '../src/outbound.js'
import { createPool, type Db } from '../src/store/db.js'
import { startEmbedded } from '../src/store/embedded.js'
import { migrate } from '../src/store/migrate.js'
import { insertNotifications, type NewNotification } from '../src/store/notifications.js'
import { tempDataDir } from './fixtures/data-dir.js'
import { english, sampleMessage } from './fixtures/notification.js'
import { LOOPBACK } from './fixtures/process.js'
import { startWebhookReceiver } from './fixtures/receivers.js'

// the receivers listen on loopback, which the outbound guard refuses unless allowed (as the hub's HUB_OUTBOUND_ALLOW)
setOutboundAllow(LOOPBACK)

// The outbox worker against a real PostgreSQL and real webhook receivers: batches of due notifications claimed
// by several workers at once, each sent and recorded once; failures within a batch retried and recorded one
// by one.

const SECRET = `whsec_${Buffer.from('outbox-test-signing-key-32-bytes').toString('base64')}`
const log = pino({ level: 'silent' })

interface Teardown {
  teardown(fn: () => unknown): void
}

async function database(t: Teardown): Promise<Db> {
  const pg = await startEmbedded(await tempDataDir(t), log)
  t.teardown(() => pg.stop())
  const db = createPool(pg.url)
  t.teardown(() => db.end())
  await migrate(db)
  return db
}

/** `n` family webhooks due now, to `url`, with ids ntf_<prefix><i>. */
function due(n: number, url: string, prefix: string): NewNotification[] {
  const now = new Date()
  return Array.from({ length: n }, (_, i) => {
    const id = `ntf_${prefix}${String(i).padStart(4, '0')}`
    return {
      id,
      alertId: null,
      siteId: null,
      step: 0,
      stepName: 'family',
      iteration: 0,
      reason: 'alert',
      target: 'family',
      recipient: english,
      channel: 'webhook',
      address: { channel: 'webhook', url },
      message: sampleMessage({ notificationId: id }),
      critical: false,
      createdAt: now,
      deadlineAt: new Date(now.getTime() + 60_000),
      delivered: false,
    }
  })
}

/** A running outbox worker (as one hub process has), stopped on teardown. */
function worker(t: Teardown, db: Db, opts: { concurrency: number; perReceiver: number }) {
  const metrics = createMetrics()
  const outbox = new Outbox({
    db,
    metrics,
    alerts: new AlertRunner({ db, bus: new Bus(), metrics }),
    log,
    channels: { webhook: webhookChannel({ defaultSecret: SECRET }) },
    retryDelayMs: () => 50,
    ...opts,
  })
  outbox.start()
  t.teardown(() => outbox.stop())
  return outbox
}

/** Polls until no notification is pending (bounded). */
async function settled(db: Db) {
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    const { rows } = await db.query("SELECT count(*)::int AS n FROM notifications WHERE state = 'pending'")
    if (rows[0].n === 0) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error('notifications still pending after 30 s')
}

async function attemptsById(db: Db) {
  const { rows } = await db.query<{ id: string; state: string; attempts: number; list: unknown[] }>(
    `SELECT n.id, n.state, n.attempts, coalesce(json_agg(json_build_object('attempt', a.attempt, 'ok', a.ok,
       'error', a.error) ORDER BY a.id) FILTER (WHERE a.id IS NOT NULL), '[]') AS list
     FROM notifications n LEFT JOIN notification_attempts a ON a.notification_id = n.id
     GROUP BY n.id ORDER BY n.id`,
  )
  return rows
}

t.test(
  'a batch of due notifications claimed by three workers at once is delivered exactly once',
  async (t) => {
    const db = await database(t)
    const hook = await startWebhookReceiver(t, { secret: SECRET })
    const n = 300
    await insertNotifications(db, due(n, hook.url, 'once'))
    // small bounds, so every worker claims many times, with waves waiting behind full receivers
    for (let i = 0; i < 3; i++) worker(t, db, { concurrency: 8, perReceiver: 4 })

    await hook.waitFor(n, 30_000)
    await settled(db)
    const ids = hook.requests.map((r) => r.headers['webhook-id'])
    t.equal(ids.length, n, 'no notification sent twice')
    t.equal(new Set(ids).size, n, 'every notification sent')
    t.ok(
      hook.requests.every((r) => r.verified),
      'every request signed',
    )
    const rows = await attemptsById(db)
    t.same(
      rows.filter((r) => r.state !== 'delivered' || r.attempts !== 1),
      [],
      'each delivered with one attempt',
    )
    t.same(
      rows.filter((r) => JSON.stringify(r.list) !== JSON.stringify([{ attempt: 1, ok: true, error: null }])),
      [],
      'each with exactly one recorded attempt, successful',
    )
  },
)

t.test('failed attempts in a batch are retried and recorded one by one', async (t) => {
  const db = await database(t)
  // the first 10 requests fail (500, retryable); one receiver refuses for good (410)
  const flaky = await startWebhookReceiver(t, { secret: SECRET, failTimes: 10 })
  const gone = await startWebhookReceiver(t, { status: 410 })
  await insertNotifications(db, [...due(40, flaky.url, 'flaky'), ...due(5, gone.url, 'gone')])
  worker(t, db, { concurrency: 64, perReceiver: 64 })

  await flaky.waitFor(50, 30_000)
  await settled(db)
  const rows = await attemptsById(db)
  const failedFirst = new Set(flaky.requests.slice(0, 10).map((r) => r.headers['webhook-id'] as string))
  t.equal(failedFirst.size, 10, 'the failures hit ten different notifications of the batch')
  for (const r of rows.filter((r) => r.id.startsWith('ntf_flaky'))) {
    const expected = failedFirst.has(r.id)
      ? [
          { attempt: 1, ok: false, error: 'HTTP 500' },
          { attempt: 2, ok: true, error: null },
        ]
      : [{ attempt: 1, ok: true, error: null }]
    t.same(
      { state: r.state, attempts: r.attempts, list: r.list },
      { state: 'delivered', attempts: expected.length, list: expected },
      r.id,
    )
  }
  const delivered = flaky.requests.filter((r) => r.status === 200).map((r) => r.headers['webhook-id'])
  t.equal(delivered.length, 40, 'each flaky notification answered 200 once')
  t.equal(new Set(delivered).size, 40)
  for (const r of rows.filter((r) => r.id.startsWith('ntf_gone'))) {
    t.same(
      { state: r.state, list: r.list },
      { state: 'failed', list: [{ attempt: 1, ok: false, error: 'HTTP 410' }] },
      `${r.id}: refused for good, dead-lettered after one attempt`,
    )
  }
  t.equal(gone.requests.length, 5, 'never retried')
})

t.test('a stopping worker hands back what it claimed but never sent, as it was', async (t) => {
  const db = await database(t)
  const slow = await startWebhookReceiver(t, { delayMs: 300 })
  await insertNotifications(db, due(10, slow.url, 'back'))
  // one send at a time: the rest of the claim waits behind it
  const outbox = worker(t, db, { concurrency: 1, perReceiver: 1 })
  await slow.waitFor(1, 10_000)
  await outbox.stop()
  const { rows } = await db.query(
    `SELECT id, state, attempts, next_attempt_at <= now() AS due FROM notifications ORDER BY id`,
  )
  const sent = new Set(slow.requests.map((r) => r.headers['webhook-id']))
  t.ok(sent.size >= 1 && sent.size < 10, 'some sent, some still waiting when it stopped')
  t.same(
    rows.filter((r) => !sent.has(r.id)).map((r) => ({ state: r.state, attempts: r.attempts, due: r.due })),
    Array.from({ length: 10 - sent.size }, () => ({ state: 'pending', attempts: 0, due: true })),
    'the unsent are pending, due at once, their claim not counted as an attempt',
  )
})
