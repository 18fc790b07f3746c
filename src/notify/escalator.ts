import type { Logger } from 'pino'
import type { AlertRunner } from '../alerting/runner.js'
import type { AlertWork } from '../alerting/work.js'
import type { Bus } from '../bus.js'
import type { Alert } from '../core/alert.js'
import { hubAlertTypes } from '../core/alert-machine.js'
import {
  type Chain,
  choosePolicy,
  type Position,
  runStep,
  type StepRun,
  targetKey,
} from '../core/escalation.js'
import type { Metrics } from '../metrics.js'
import { getAlerts } from '../store/alerts.js'
import type { Db, Queryable } from '../store/db.js'
import {
  candidatePolicies,
  claimDueEscalations,
  type DueEscalation,
  moveEscalations,
  nextEscalationDue,
  postponeEscalation,
} from '../store/escalations.js'
import { foldHistory } from '../store/history-fold.js'
import { insertNotifications, type NewNotification } from '../store/notifications.js'
import type { Address, NotificationMessage } from './channel.js'
import { DueTimer } from './due-timer.js'
import {
  type AlertContext,
  type Contact,
  type Directory,
  expandTargets,
  loadContexts,
  memoDirectory,
  type Planned,
} from './recipients.js'

// The escalation scheduler: runs each alert's due step exactly once (claimed FOR UPDATE SKIP LOCKED), in one
// transaction with everything the step causes: the notifications (outbox rows), the alert's history entry and
// "unanswered" mark, hub-raised alerts for targets that reach nobody, the live-feed messages, and the next
// deadline. A crash before the commit leaves the step due; after it, the outbox holds the rest.

export interface EscalatorDeps {
  db: Db
  bus: Bus
  metrics: Metrics
  alerts: AlertRunner
  log: Logger
  directory: Directory
  addressesFor: (c: Contact) => Address[]
  /** the family acknowledgement link for a notification */
  ackUrl: (notificationId: string) => string
  /** how long the outbox keeps retrying a notification */
  deadlineMs: number
  /** called when notifications were queued */
  onQueued: () => void
}

const POSTPONE_AFTER_ERROR_MS = 5_000
/**
 * Steps per transaction, and transactions at once (each holds a connection of the main pool). A burst of alarms
 * is CPU-bound here (2 cores shared with PostgreSQL): fewer, larger batches cost less per step than more, smaller
 * ones contending for the feed counter's lock (bench:notify --mode burst: p99 1.49–1.57 s against 1.52–1.96 s
 * with 100 × 4 on the same machine).
 */
const BATCH = 250
const WORKERS = 2

export class Escalator {
  private readonly timer: DueTimer
  private readonly onOpened = () => this.timer.wake()

  constructor(private readonly deps: EscalatorDeps) {
    this.timer = new DueTimer(
      'escalation',
      () => this.runDue(),
      () => nextEscalationDue(deps.db),
      deps.log,
    )
  }

  start() {
    this.deps.bus.on('alert.opened', this.onOpened)
    this.timer.start()
  }

  async stop() {
    this.deps.bus.off('alert.opened', this.onOpened)
    await this.timer.stop()
  }

  /**
   * Runs every due step, up to BATCH per transaction (a batch costs the same handful of round trips as one
   * step), in a few transactions at once, so a burst of alarms is a few commits. The claims skip each other's
   * locked alerts, so each step still runs exactly once.
   */
  private async runDue() {
    await Promise.all(Array.from({ length: WORKERS }, () => this.drain()))
  }

  /** Runs due steps until none is left. If a batch fails, its steps run one by one, so one bad alert is
   * postponed and cannot hold back the others. */
  private async drain() {
    let limit = BATCH
    for (;;) {
      try {
        if ((await this.runBatch(limit)) === 0) return
        limit = BATCH
      } catch (err) {
        const alertId = (err as { alertId?: string }).alertId
        if (limit > 1) {
          limit = 1
          continue
        }
        this.deps.log.error({ err, alert: alertId }, 'escalation step failed; postponed')
        if (!alertId) return
        await postponeEscalation(this.deps.db, alertId, POSTPONE_AFTER_ERROR_MS)
      }
    }
  }

  private async runBatch(limit: number): Promise<number> {
    const { result, messages } = await this.deps.alerts.run(async (work) => {
      const due = await claimDueEscalations(work.tx, limit, work.now)
      try {
        return { count: due.length, queued: await this.steps(work, due) }
      } catch (err) {
        // a batch of one names its alert, so the drain can postpone it
        throw due.length === 1 ? Object.assign(err as Error, { alertId: due[0]!.alertId }) : err
      }
    })
    const steps = messages.filter(
      (m) => m.kind === 'alert.updated' && m.data.history.at(-1)?.kind === 'escalated',
    )
    this.deps.metrics.escalationSteps.inc(steps.length)
    if (result.queued) this.deps.onQueued()
    return result.count
  }

  /**
   * Runs a batch of claimed steps; says whether they queued notifications for the outbox. Each query runs once
   * per batch, not once per alert (alerts, chains, contexts, people, the notifications, the next deadlines):
   * in a burst of alarms the step's cost is its round trips.
   */
  private async steps(work: AlertWork, due: DueEscalation[]): Promise<boolean> {
    if (due.length === 0) return false
    const { tx, now } = work
    // a chain past its first run has history to keep bounded: fold it before this step adds to it
    await foldHistory(
      tx,
      due.filter((d) => d.position.step > 0 || d.position.iteration > 0).map((d) => d.alertId),
    )
    const alerts = new Map(
      (
        await getAlerts(
          tx,
          due.map((d) => d.alertId),
        )
      ).map((a) => [a.id, a]),
    )
    const open = due.flatMap((d) => {
      const alert = alerts.get(d.alertId)
      return alert?.state === 'open' ? [{ ...d, alert }] : []
    })
    const stopped = due
      .filter((d) => alerts.get(d.alertId)?.state !== 'open')
      .map((d) => ({ alertId: d.alertId, reason: alerts.get(d.alertId)?.state ?? 'gone' }))
    // the chain is snapshotted when the escalation starts: editing the policy later changes no running chain
    const chains = await chainsFor(
      tx,
      open.filter((d) => !d.chain).map((d) => d.alert),
    )
    const contexts = await loadContexts(
      tx,
      open.map((d) => d.alert),
    )
    const directory = memoDirectory(this.deps.directory)
    const planned = []
    for (const [i, d] of open.entries()) {
      const chain = d.chain ?? chains.get(d.alert.id)!
      const run = runStep(chain, d.position)
      const ctx = contexts[i]!
      const expanded = await expandTargets(tx, run.step.targets, d.alert, ctx, {
        directory,
        addressesFor: this.deps.addressesFor,
        ackedContacts: d.ackedContacts,
        now,
      })
      const notifications = expanded.planned.flatMap((p) => this.notificationsFor(work, p, d, ctx, run))
      planned.push({ ...d, chain, run, problems: expanded.problems, notifications })
    }
    const stored = await insertNotifications(
      tx,
      planned.flatMap((p) => p.notifications),
    )
    for (const { alert, chain, run, position, problems, notifications } of planned) {
      const data = {
        step: run.step.name,
        index: Math.min(position.step, chain.steps.length - 1),
        iteration: position.iteration,
        policyId: chain.policyId,
        targets: run.step.targets.map(targetKey),
        notifications: notifications.map((n) => n.id),
        ...(problems.length > 0 && { problems: problems.map((p) => ({ type: p.alertType, ...p.data })) }),
      }
      // a hub-raised alert's own gaps are recorded on it, not raised again: no alerts about alerts about alerts
      if (!hubAlertTypes.has(alert.type)) work.raise(...problems)
      work.decide(alert, { kind: 'escalated', unanswered: run.raiseUnanswered, data })
    }
    await moveEscalations(
      tx,
      planned.map((p) => ({ alertId: p.alert.id, chain: p.chain, next: p.run.next })),
      stopped,
    )
    // live notifications need no message of their own: the step's alert.updated names them
    return stored.some((n) => n.state === 'pending')
  }

  private notificationsFor(
    work: AlertWork,
    p: Planned,
    { alert, position }: { alert: Alert; position: Position },
    ctx: AlertContext,
    run: StepRun,
  ): NewNotification[] {
    const { now } = work
    const key = p.target === 'user' ? `user:${p.recipient.userId}` : p.target
    const reason = run.reasons.get(key) ?? 'alert'
    return p.addresses.map((address) => {
      const id = work.newId('ntf')
      return {
        id,
        alertId: alert.id,
        siteId: alert.siteId,
        step: position.step,
        stepName: run.step.name,
        iteration: position.iteration,
        reason,
        target: p.target,
        recipient: p.recipient,
        channel: address.channel,
        address,
        message: messageFor(id, reason, alert, ctx, p.target === 'family' ? this.deps.ackUrl(id) : null),
        critical: false,
        createdAt: now,
        deadlineAt: new Date(now.getTime() + this.deps.deadlineMs),
        delivered: address.channel === 'live',
      }
    })
  }
}

type PolicySubject = Pick<Alert, 'id' | 'siteId' | 'type' | 'alertClass'>

/** The chain each alert's escalation starts with: its most specific policy, by site, type, else class. */
export async function chainsFor(q: Queryable, alerts: PolicySubject[]): Promise<Map<string, Chain>> {
  if (alerts.length === 0) return new Map()
  const candidates = await candidatePolicies(
    q,
    alerts.map((a) => a.siteId),
    alerts.map((a) => a.type),
  )
  return new Map(
    alerts.map((alert) => {
      const policy = choosePolicy(candidates, alert.siteId, alert.type, alert.alertClass)
      // the migrations create a hub-wide default for every class and the API refuses to delete them
      if (!policy)
        throw new Error(`no escalation policy applies to a ${alert.alertClass} alert, not even a default`)
      return [alert.id, { policyId: policy.id, policyName: policy.name, steps: policy.steps }]
    }),
  )
}

export async function chainFor(q: Queryable, alert: Omit<PolicySubject, 'id'>): Promise<Chain> {
  return (await chainsFor(q, [{ ...alert, id: '' }])).get('')!
}

/** The body every channel sends (CONTRACT.md, "Webhooks the hub sends"), fixed when the notification is made. */
export function messageFor(
  notificationId: string,
  reason: NotificationMessage['reason'],
  alert: Alert,
  ctx: AlertContext,
  ackUrl: string | null,
): NotificationMessage {
  return {
    notificationId,
    reason,
    alertId: alert.id,
    type: alert.type,
    priority: alert.priority,
    state: alert.state,
    openedAt: alert.openedAt.toISOString(),
    resident: ctx.resident && { id: ctx.resident.id, name: ctx.resident.name },
    site: ctx.site && {
      id: ctx.site.id,
      name: ctx.site.name,
      address: ctx.site.address,
      timezone: ctx.site.timezone,
    },
    device: ctx.device && { id: ctx.device.id, type: ctx.device.type, location: ctx.device.location },
    ackUrl,
  }
}
