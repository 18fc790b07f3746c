import { pino } from 'pino'
import t from 'tap'
import type { AlertEffect } from '../src/alerting/effects.js'
import { AlertRunner } from '../src/alerting/runner.js'
import { Bus } from '../src/bus.js'
import type { LiveMessage } from '../src/contract/live.js'
import type { HubAlertSource } from '../src/core/alert-machine.js'
import { createMetrics } from '../src/metrics.js'
import { getAlert } from '../src/store/alerts.js'
import { createPool } from '../src/store/db.js'
import { startEmbedded } from '../src/store/embedded.js'
import { migrate } from '../src/store/migrate.js'
import { tempDataDir } from './fixtures/data-dir.js'
import { freshDatabaseUrl } from './fixtures/test-database.js'

// The alerting runner against a real PostgreSQL: it decides at the injected clock with the injected ids,
// writes in one transaction and publishes after commit; effects run in the same transaction, and a failing
// one is rolled back alone while the alert is kept; repeats leave a bounded audit trail.

const log = pino({ level: 'silent' })
const source = (alertType: HubAlertSource['alertType'], data = {}): HubAlertSource => ({
  alertType,
  siteId: null,
  residentId: null,
  relatedAlertId: null,
  data,
})

t.test('the alerting runner', async (t) => {
  let url = await freshDatabaseUrl(t)
  if (!url) {
    const pg = await startEmbedded(await tempDataDir(t), log)
    t.teardown(() => pg.stop())
    url = pg.url
  }
  const db = createPool(url)
  t.teardown(() => db.end())
  await migrate(db)

  let now = new Date('2026-12-01T08:00:00.000Z')
  let n = 0
  const failing: AlertEffect = {
    name: 'failing',
    concerns: (c) => c.alert.type === 'nobody-on-duty',
    async apply(work) {
      await work.tx.query("INSERT INTO hub_settings (key, value) VALUES ('half-done', 'x')")
      work.raise(source('centre-link-down'))
      throw new Error('cannot build the signal')
    },
  }
  const writes: string[] = []
  const recording: AlertEffect = {
    name: 'recording',
    concerns: () => true,
    async apply(_work, changes) {
      writes.push(...changes.map((c) => `${c.alert.type}:${c.effect}`))
    },
  }
  const bus = new Bus()
  const alerts = new AlertRunner({
    db,
    bus,
    metrics: createMetrics(),
    log,
    effects: [failing, recording],
    clock: { now: () => now },
    ids: (prefix) => `${prefix}_test${++n}`,
  })
  const live: LiveMessage[] = []
  const domain: string[] = []
  bus.on('live', (m) => live.push(m))
  bus.on('alert.opened', (a) => domain.push(`opened ${a.id}`))
  bus.on('alert.updated', (a) => domain.push(`updated ${a.id}`))

  await t.test('decides at the injected clock with injected ids; publishes after commit', async (t) => {
    const { result } = await alerts.run(async (work) => {
      work.decide(null, { kind: 'hub-alert', source: source('delivery-failure'), newId: work.newId('alr') })
      return 'done'
    })
    t.equal(result, 'done')
    const stored = await getAlert(db, 'alr_test1')
    t.ok(stored, 'the id came from the injected source')
    t.same(stored?.openedAt, now, 'opened at the injected time')
    t.equal(stored?.alertClass, 'technical')
    t.same(
      live.map((m) => [m.kind, m.data.id]),
      [['alert.opened', 'alr_test1']],
    )
    t.same(domain, ['opened alr_test1'], 'the domain event follows the feed message')
    t.same(writes, ['delivery-failure:opened'], 'effects see the changes before they are written')
  })

  await t.test(
    'a failing effect is rolled back alone; the alert is kept and the failure raised',
    async (t) => {
      await alerts.run(async (work) => {
        work.decide(null, { kind: 'hub-alert', source: source('nobody-on-duty'), newId: work.newId('alr') })
      })
      const { rows } = await db.query<{ id: string; type: string; related: string | null }>(
        "SELECT id, type, related_alert_id AS related FROM alerts WHERE type IN ('nobody-on-duty', 'delivery-failure', 'centre-link-down') ORDER BY id",
      )
      const kept = rows.find((r) => r.type === 'nobody-on-duty')
      t.ok(kept, 'the alert that caused the effect is committed')
      t.ok(
        rows.some((r) => r.type === 'delivery-failure' && r.related === kept?.id),
        'a technical alert names the alert whose effect failed',
      )
      t.notOk(
        rows.some((r) => r.type === 'centre-link-down'),
        'what the failed effect raised is dropped',
      )
      const half = await db.query("SELECT 1 FROM hub_settings WHERE key = 'half-done'")
      t.equal(half.rowCount, 0, 'what the failed effect wrote is rolled back')
    },
  )

  await t.test('20 repeats: the count says 21, the audit trail keeps three entries', async (t) => {
    for (let i = 0; i < 20; i++) {
      now = new Date(now.getTime() + 1000)
      await alerts.run(async (work) => work.raise(source('delivery-failure', { attempt: i })))
    }
    const stored = await getAlert(db, 'alr_test1')
    t.equal(stored?.count, 21)
    t.same(
      stored?.history.map((h) => [h.kind, h.data.attempt]),
      [
        ['opened', undefined],
        ['repeated', 0],
        ['repeated', 19],
      ],
      'opened, the first repeat and the latest',
    )
    t.same(stored?.history.at(-1)?.at, now)
    const feed = live.filter((m) => m.kind === 'alert.updated' && m.data.id === 'alr_test1').at(-1)
    t.equal(feed?.kind === 'alert.updated' && feed.data.history.length, 3, 'the feed message is bounded too')
  })
})
