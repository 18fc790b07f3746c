import type { Logger } from 'pino'
import type { AlertRunner } from '../alerting/runner.js'
import type { AlertWork } from '../alerting/work.js'
import { notificationJson } from '../contract/notification-json.js'
import type { HistoryEntry } from '../core/alert.js'
import { type HubAlertSource, hubAlertTypes } from '../core/alert-machine.js'
import type { CentreSender } from '../fire/centre-channel.js'
import type { FireSignal } from '../fire/signal.js'
import { GroupCommitter } from '../ingest/group-commit.js'
import type { Metrics } from '../metrics.js'
import { appendAlertEvents, shareAlerts } from '../store/alert-writes.js'
import type { Db } from '../store/db.js'
import { foldHistory } from '../store/history-fold.js'
import {
  type Claimed,
  claimDueNotifications,
  completeAttempts,
  type Notification,
  nextNotificationDue,
  releaseClaims,
  WAVES,
} from '../store/notifications.js'
import type { Channel, ChannelName, DeliveryResult, NotificationMessage } from './channel.js'
import { DueTimer } from './due-timer.js'

// The outbox worker: claims due notifications, sends each through its channel outside any transaction, and
// records the attempt. A confirmed delivery is recorded with its receipt; a failure is retried with back-off
// until the notification's deadline, then dead-lettered, which raises a delivery-failure alert for operators.
// Sends run side by side up to a limit per lane and a smaller one per receiver, so one slow receiver never takes
// every slot; claims and attempt records are batched, a few round trips for a burst of notifications.

export interface OutboxDeps {
  db: Db
  metrics: Metrics
  alerts: AlertRunner
  log: Logger
  channels: Partial<Record<ChannelName, Channel>>
  retryDelayMs: (attempt: number) => number
  /** sends in flight, family notifications and the like (fire signals have a lane of their own) */
  concurrency?: number
  /** sends in flight to one receiver (a webhook's or centre's origin, the SMTP server, the SMS gateway) */
  perReceiver?: number
  /** longer than any channel's timeout: while it runs, no other worker takes the notification */
  leaseMs?: number
  /** sends fire signals to monitoring centres */
  centre?: CentreSender
  /** what a batch of recorded attempts means beyond the outbox (a centre's link state); in the same transaction */
  afterRecord?: (work: AlertWork, recorded: Recorded[]) => Promise<void>
}

export interface Recorded {
  before: Notification
  now: Notification
  result: DeliveryResult
  finishedAt: Date
}

/** Fire signals are retried at least this often, and once more at the 10 s mark (GB 26875's budget). */
const SIGNAL_RETRY_MAX_MS = 2_000
export const SIGNAL_BUDGET_MS = 10_000
const CRITICAL_CONCURRENCY = 16
const CONCURRENCY = 128
const PER_RECEIVER = 64

const MAX_UNRECORDED = 2_000

/**
 * The notifications one lane holds: in flight, at most `perReceiver` to one receiver, and claimed ahead to
 * wait for a slot, up to WAVES − 1 times as many again (so one claim feeds several waves of sends and the next
 * claim overlaps them). FIFO per receiver, which the claim's lease relies on.
 */
class Lane {
  readonly inFlight = new Set<Promise<void>>()
  /** in flight or waiting, by receiver: what the claim must not exceed */
  readonly held = new Map<string, number>()
  private readonly waiting = new Map<string, Claimed[]>()
  private readonly sending = new Map<string, number>()
  private count = 0
  private stopping = false

  constructor(
    /** notifications held at most */
    readonly slots: number,
    readonly perReceiver: number,
    private readonly send: (n: Claimed) => Promise<void>,
    private readonly done: () => void,
  ) {}

  get free() {
    return this.slots - this.count
  }

  add(claimed: Claimed[]) {
    for (const n of claimed) {
      this.count++
      this.held.set(n.receiver, (this.held.get(n.receiver) ?? 0) + 1)
      const queue = this.waiting.get(n.receiver)
      if (queue) queue.push(n)
      else this.waiting.set(n.receiver, [n])
    }
    for (const receiver of new Set(claimed.map((n) => n.receiver))) this.pump(receiver)
  }

  private pump(receiver: string) {
    const queue = this.waiting.get(receiver)
    while (!this.stopping && queue?.length && (this.sending.get(receiver) ?? 0) < this.perReceiver) {
      const n = queue.shift()!
      if (queue.length === 0) this.waiting.delete(receiver)
      this.sending.set(receiver, (this.sending.get(receiver) ?? 0) + 1)
      const p = this.send(n).finally(() => {
        this.inFlight.delete(p)
        this.count--
        decrement(this.held, receiver)
        decrement(this.sending, receiver)
        this.pump(receiver)
        this.done()
      })
      this.inFlight.add(p)
    }
  }

  /** Starts no more sends; returns the notifications that were waiting for a slot. */
  stop(): Claimed[] {
    this.stopping = true
    const left = [...this.waiting.values()].flat()
    this.waiting.clear()
    return left
  }
}

function decrement(m: Map<string, number>, key: string) {
  const left = (m.get(key) ?? 0) - 1
  if (left > 0) m.set(key, left)
  else m.delete(key)
}

export class Outbox {
  private readonly timer: DueTimer
  private readonly lanes: [fire: Lane, other: Lane]
  private readonly completions: GroupCommitter<Finished>

  constructor(private readonly deps: OutboxDeps) {
    this.timer = new DueTimer(
      'outbox',
      () => this.claim(),
      () => nextNotificationDue(deps.db),
      deps.log,
    )
    this.completions = new GroupCommitter((batch) => this.record(batch), { maxBatch: 500, capacity: 10_000 })
    const perReceiver = deps.perReceiver ?? PER_RECEIVER
    const send = (n: Claimed) =>
      this.deliver(n).catch((err) => this.deps.log.error({ err, notification: n.id }, 'a delivery failed'))
    const done = () => this.timer.wake()
    this.lanes = [
      new Lane(WAVES * CRITICAL_CONCURRENCY, CRITICAL_CONCURRENCY, send, done),
      new Lane(WAVES * (deps.concurrency ?? CONCURRENCY), perReceiver, send, done),
    ]
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
    // never sent: handed back as they were before the claim, due at once for the next start
    await releaseClaims(
      this.deps.db,
      this.lanes.flatMap((l) => l.stop().map((n) => n.id)),
    ).catch((err) =>
      this.deps.log.error(
        { err },
        'handing back unsent notifications failed; they are sent after their lease',
      ),
    )
    let timer: NodeJS.Timeout | undefined
    const wait = new Promise((r) => {
      timer = setTimeout(r, waitMs)
    })
    await Promise.race([Promise.all(this.lanes.flatMap((l) => [...l.inFlight])), wait])
    clearTimeout(timer)
    await this.completions.drain()
  }

  /** Claims for both lanes in one round trip; each lane has its own slots. */
  private async claim() {
    // a send's slot is free once its answer is in; what waits to be recorded is bounded here, well inside
    // the lease, so no claimed notification can be taken again while its attempt waits to be written
    if (this.completions.depth >= MAX_UNRECORDED) return
    const [fire, other] = this.lanes
    if (fire.free <= 0 && other.free <= 0) return
    const room = (lane: Lane) => ({
      limit: Math.max(0, lane.free),
      perReceiver: lane.perReceiver,
      held: lane.held,
    })
    const claimed = await claimDueNotifications(
      this.deps.db,
      this.deps.leaseMs ?? 30_000,
      room(fire),
      room(other),
    )
    fire.add(claimed.filter((n) => n.critical))
    other.add(claimed.filter((n) => !n.critical))
  }

  private async send(n: Notification): Promise<DeliveryResult> {
    try {
      if (n.address.channel === 'centre') {
        if (!this.deps.centre) return { ok: false, retryable: true, error: 'no centre sender' }
        return await this.deps.centre.send(n.message as FireSignal, n.address)
      }
      const channel = n.address.channel === 'live' ? undefined : this.deps.channels[n.address.channel]
      if (!channel || n.address.channel === 'live') {
        return { ok: false, retryable: false, error: `the ${n.channel} channel is not configured` }
      }
      return await channel.send(n.message as NotificationMessage, n.address, n.recipient)
    } catch (err) {
      return { ok: false, retryable: true, error: (err as Error).message }
    }
  }

  /** When to try again, or null to give up. Fire signals never give up and are retried fast. */
  private retryAt(n: Notification, result: DeliveryResult, finishedAt: Date): Date | null {
    if (result.ok) return null
    const t = finishedAt.getTime()
    if (n.critical) {
      const budget = n.createdAt.getTime() + SIGNAL_BUDGET_MS
      const next = t + Math.min(this.deps.retryDelayMs(n.attempts), SIGNAL_RETRY_MAX_MS)
      return new Date(t < budget ? Math.min(next, budget) : next)
    }
    if (!result.retryable) return null
    const next = new Date(t + this.deps.retryDelayMs(n.attempts))
    return next > n.deadlineAt ? null : next
  }

  private async deliver(n: Notification) {
    // the runner's clock: these times land in the alert's history beside the times it decided
    const { clock } = this.deps.alerts
    const startedAt = clock.now()
    const result = await this.send(n)
    const finishedAt = clock.now()
    const retryAt = this.retryAt(n, result, finishedAt)
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
    await this.deps.alerts.run(async (work) => {
      const { tx } = work
      await shareAlerts(
        tx,
        batch.flatMap(({ n }) => (n.alertId ? [n.alertId] : [])),
      )
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
        if (!n.alertId) return
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
      // a reminder's delivery adds to a recipient's `notified` entries: keep them bounded
      await foldHistory(
        tx,
        batch.flatMap(({ n, result }) =>
          result.ok && n.alertId && (n.step > 0 || n.iteration > 0) ? [n.alertId] : [],
        ),
      )
      const recorded = batch.map(({ n, result, finishedAt }, i) => ({
        before: n,
        now: now[i]!,
        result,
        finishedAt,
      }))
      await this.deps.afterRecord?.(work, recorded)
      work.raise(...raised)
      work.feed.push(
        ...now.map((n) => ({ kind: 'notification.updated' as const, data: notificationJson(n) })),
      )
    })
  }

  /** The delivery-failure alert for a notification given up; none for a hub-raised alert's own notifications. */
  private failureAlert(n: Notification, data: Record<string, unknown>): HubAlertSource[] {
    const m = n.message as NotificationMessage
    if (hubAlertTypes.has(m.type)) return []
    const source = {
      alertType: 'delivery-failure' as const,
      siteId: n.siteId,
      residentId: m.resident?.id ?? null,
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
