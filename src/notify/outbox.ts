import type { Logger } from 'pino'
import type { Bus } from '../bus.js'
import { notificationJson } from '../contract/notification-json.js'
import type { HistoryEntry } from '../core/alert.js'
import type { HubAlertSource } from '../core/alert-machine.js'
import { persistChanges, publishChanges } from '../core/alert-writer.js'
import { decideHubAlerts, hubAlertTypes } from '../core/hub-alerts.js'
import { GroupCommitter } from '../ingest/group-commit.js'
import type { Metrics } from '../metrics.js'
import { appendAlertEvents } from '../store/alert-writes.js'
import { type Db, withTransaction } from '../store/db.js'
import { appendFeed } from '../store/feed.js'
import {
  claimDueNotifications,
  completeAttempts,
  type Notification,
  nextNotificationDue,
} from '../store/notifications.js'
import type { Channel, ChannelName, DeliveryResult } from './channel.js'
import { DueTimer } from './due-timer.js'

// The outbox worker: claims due notifications, sends each through its channel outside any transaction, and
// records the attempt. A confirmed delivery is recorded with its receipt; a failure is retried with back-off
// until the notification's deadline, then dead-lettered, which raises a delivery-failure alert for operators.
// Sends run side by side up to a limit, so one slow receiver never holds back the others.

export interface OutboxDeps {
  db: Db
  bus: Bus
  metrics: Metrics
  log: Logger
  channels: Partial<Record<ChannelName, Channel>>
  retryDelayMs: (attempt: number) => number
  concurrency?: number
  /** longer than any channel's timeout: while it runs, no other worker takes the notification */
  leaseMs?: number
}

const MAX_UNRECORDED = 2_000

export class Outbox {
  private readonly timer: DueTimer
  private readonly inFlight = new Set<Promise<void>>()
  private readonly completions: GroupCommitter<Finished>

  constructor(private readonly deps: OutboxDeps) {
    this.timer = new DueTimer(
      'outbox',
      () => this.claim(),
      () => nextNotificationDue(deps.db),
      deps.log,
    )
    this.completions = new GroupCommitter((batch) => this.record(batch), { maxBatch: 200, capacity: 10_000 })
  }

  start() {
    this.timer.start()
  }

  /** New notifications were queued. */
  wake() {
    this.timer.wake()
  }

  /**
   * Stops claiming and waits a little for the sends in flight to be recorded. One that outlasts the wait (a slow
   * SMTP server) is sent again, with the same id, once its lease runs out on the next start.
   */
  async stop(waitMs = 5_000) {
    await this.timer.stop()
    let timer: NodeJS.Timeout | undefined
    const wait = new Promise((r) => {
      timer = setTimeout(r, waitMs)
    })
    await Promise.race([Promise.all(this.inFlight), wait])
    clearTimeout(timer)
    await this.completions.drain()
  }

  private async claim() {
    const free = (this.deps.concurrency ?? 32) - this.inFlight.size
    // a send's slot is free once its answer is in; what waits to be recorded is bounded here, well inside
    // the lease, so no claimed notification can be taken again while its attempt waits to be written
    if (free <= 0 || this.completions.depth >= MAX_UNRECORDED) return
    const claimed = await claimDueNotifications(this.deps.db, free, this.deps.leaseMs ?? 30_000)
    for (const n of claimed) {
      const p = this.deliver(n)
        .catch((err) => this.deps.log.error({ err, notification: n.id }, 'a delivery failed'))
        .finally(() => {
          this.inFlight.delete(p)
          this.timer.wake()
        })
      this.inFlight.add(p)
    }
  }

  private async send(n: Notification): Promise<DeliveryResult> {
    const channel = n.channel === 'live' ? undefined : this.deps.channels[n.channel]
    if (!channel || n.address.channel === 'live') {
      return { ok: false, retryable: false, error: `the ${n.channel} channel is not configured` }
    }
    try {
      return await channel.send(n.message, n.address, n.recipient)
    } catch (err) {
      return { ok: false, retryable: true, error: (err as Error).message }
    }
  }

  private async deliver(n: Notification) {
    const startedAt = new Date()
    const result = await this.send(n)
    const finishedAt = new Date()
    let retryAt: Date | null = null
    if (!result.ok && result.retryable) {
      retryAt = new Date(finishedAt.getTime() + this.deps.retryDelayMs(n.attempts))
      // fire-centre signals are retried until receipt, whatever the deadline
      if (!n.critical && retryAt > n.deadlineAt) retryAt = null
    }
    this.deps.metrics.notifications.inc({
      channel: n.channel,
      outcome: result.ok ? 'delivered' : retryAt ? 'retry' : 'failed',
    })
    this.completions
      .submit({ n, result, startedAt, finishedAt, retryAt })
      .catch((err) => this.deps.log.error({ err, notification: n.id }, 'recording a delivery failed'))
      .finally(() => this.timer.wake())
  }

  /** Records a batch of finished attempts in one transaction: one commit for many deliveries. */
  private async record(batch: Finished[]) {
    const { db, bus, metrics } = this.deps
    const messages = await withTransaction(db, async (tx) => {
      const now = await completeAttempts(
        tx,
        batch.map(({ n, result, startedAt, finishedAt, retryAt }) => ({
          notification: n,
          startedAt,
          finishedAt,
          ok: result.ok,
          receipt: result.ok ? result.receipt : undefined,
          error: result.ok ? undefined : result.error,
          retryAt,
        })),
      )
      const entries: { alertId: string; entry: HistoryEntry }[] = []
      const raised: HubAlertSource[] = []
      batch.forEach(({ n, result, finishedAt }, i) => {
        const about = {
          notificationId: n.id,
          channel: n.channel,
          target: n.target,
          recipient: n.recipient.name,
        }
        if (result.ok) {
          entries.push({
            alertId: n.alertId,
            entry: entry(finishedAt, 'notified', { ...about, receipt: result.receipt }),
          })
        } else if (now[i]!.state === 'failed') {
          const data = { ...about, error: result.error, attempts: n.attempts }
          entries.push({ alertId: n.alertId, entry: entry(finishedAt, 'delivery-failed', data) })
          raised.push(...this.failureAlert(n, { ...about, error: result.error }))
        }
      })
      await appendAlertEvents(tx, entries)
      const alerts = await persistChanges(tx, await decideHubAlerts(tx, raised, new Date()))
      const feed = now.map((n) => ({ kind: 'notification.updated' as const, data: notificationJson(n) }))
      return [...alerts, ...(await appendFeed(tx, feed))]
    })
    publishChanges(bus, metrics, messages)
  }

  /** The delivery-failure alert for a notification given up; none for a hub-raised alert's own notifications. */
  private failureAlert(n: Notification, data: Record<string, unknown>): HubAlertSource[] {
    if (hubAlertTypes.has(n.message.type)) return []
    const source = {
      alertType: 'delivery-failure' as const,
      siteId: n.siteId,
      residentId: n.message.resident?.id ?? null,
      relatedAlertId: n.alertId,
      data,
    }
    return [source]
  }
}

interface Finished {
  n: Notification
  result: DeliveryResult
  startedAt: Date
  finishedAt: Date
  retryAt: Date | null
}

const entry = (at: Date, kind: HistoryEntry['kind'], data: Record<string, unknown>): HistoryEntry => ({
  at,
  kind,
  actor: null,
  note: null,
  data,
})
