import type { Logger } from 'pino'
import type { Bus } from '../bus.js'
import type { LiveMessage } from '../contract/live.js'
import type { Alert } from '../core/alert.js'
import type { AlertInput, Change } from '../core/alert-machine.js'
import { HubError, notFound } from '../errors.js'
import type { Metrics } from '../metrics.js'
import { getAlert } from '../store/alerts.js'
import { type Db, withTransaction } from '../store/db.js'
import { appendFeed } from '../store/feed.js'
import { type Clock, type IdSource, randomIds, systemClock } from './clock.js'
import { type AlertEffect, applyEffects } from './effects.js'
import { decideHubAlerts } from './hub-alerts.js'
import { persistChanges } from './persist.js'
import { AlertWork } from './work.js'

// THE alerting runner (DESIGN.md): every writer of alerts — ingest, HTTP commands, family ack, escalator,
// fire marks and verification, supervision, the outbox — loads state and calls the core through `run`, so the
// transaction skeleton exists once: decide with the injected clock and ids, write the effects in one
// transaction (hub-raised alerts and the feed last, so the feed's counter row is locked only from there to
// the commit), then publish after the commit. Effects that belong in the same transaction (a fire alarm's
// signal) run between the decisions and the writes.

export interface RunnerDeps {
  db: Db
  bus: Bus
  metrics: Metrics
  /** where a failed effect is reported (beside the alert it raises) */
  log?: Logger
  /** what must happen in a change's own transaction (fire signals) */
  effects?: readonly AlertEffect[]
  clock?: Clock
  ids?: IdSource
}

export class AlertRunner {
  readonly clock: Clock
  private readonly ids: IdSource

  constructor(private readonly deps: RunnerDeps) {
    this.clock = deps.clock ?? systemClock
    this.ids = deps.ids ?? randomIds
  }

  /** One transaction of alert work; the stored feed messages are published once it commits. */
  async run<T>(fn: (work: AlertWork) => Promise<T>): Promise<{ result: T; messages: LiveMessage[] }> {
    const out = await withTransaction(this.deps.db, async (tx) => {
      const work = new AlertWork(tx, this.clock.now(), this.ids)
      const result = await fn(work)
      await applyEffects(work, this.deps.effects ?? [], this.deps.log)
      // hub-raised alerts have no device: no effect concerns them, so they are decided after the effects
      await decideHubAlerts(work, work.problems)
      const messages = [...(await persistChanges(tx, work.changes)), ...(await appendFeed(tx, work.feed))]
      return { result, messages, changes: work.changes, afterCommit: work.afterCommit }
    })
    this.publish(out.changes, out.messages)
    for (const fn of out.afterCommit) fn()
    return { result: out.result, messages: out.messages }
  }

  /**
   * A command on one alert (an operator's ack or resolve, a fire mark): locks it, lets `check` refuse it
   * (not visible, not a fire alarm), and reports a decision the core refuses as a conflict.
   */
  async command(alertId: string, input: AlertInput, check?: (current: Alert) => void): Promise<Alert> {
    const { result } = await this.run(async (work) => {
      const current = await getAlert(work.tx, alertId, true)
      if (!current) throw notFound('alert', alertId)
      check?.(current)
      const d = work.decide(current, input)
      if (d.effect === 'conflict') throw new HubError('HUB_ERR_CONFLICT', d.message)
      return d.alert ?? current
    })
    return result
  }

  /** After commit: the feed in seq order, then the domain events (internal, never the feed's shape). */
  private publish(changes: Change[], messages: LiveMessage[]) {
    const { bus, metrics } = this.deps
    for (const m of messages) {
      metrics.alertChanges.inc({ kind: m.kind })
      bus.emit('live', m)
    }
    for (const c of changes) {
      const { alert } = c
      if (alert.acknowledgedAt && c.entries.some((e) => e.kind === 'acknowledged')) {
        const seconds = (alert.acknowledgedAt.getTime() - alert.openedAt.getTime()) / 1000
        metrics.timeToAck.observe({ priority: String(alert.priority) }, seconds)
      }
      bus.emit(c.effect === 'opened' ? 'alert.opened' : 'alert.updated', alert, c.entries)
    }
  }
}
