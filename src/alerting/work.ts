import type { LiveKind, LiveMessage } from '../contract/live.js'
import type { Alert } from '../core/alert.js'
import {
  type AlertInput,
  type Change,
  type Decision,
  decide,
  type HubAlertSource,
  isChange,
} from '../core/alert-machine.js'
import type { IdPrefix } from '../ids.js'
import type { Tx } from '../store/db.js'
import type { IdSource } from './clock.js'

/**
 * What one runner transaction collects: the core's changes, the hub-raised alerts they call for, and other
 * feed messages (notification changes) stored with them. Every decision in it is made at the same `now`.
 */
export class AlertWork {
  readonly changes: Change[] = []
  readonly problems: HubAlertSource[] = []
  readonly feed: { kind: LiveKind; data: LiveMessage['data'] }[] = []
  /** run once the transaction has committed (wake the outbox for signals it queued, …) */
  readonly afterCommit: (() => void)[] = []

  constructor(
    readonly tx: Tx,
    readonly now: Date,
    private readonly ids: IdSource,
  ) {}

  newId(prefix: IdPrefix): string {
    return this.ids(prefix)
  }

  /** The core decides at this transaction's time; a change is written when the work commits. */
  decide(alert: Alert | null, input: AlertInput): Decision {
    const d = decide(alert, input, this.now)
    if (isChange(d)) this.changes.push(d)
    return d
  }

  /** The alert as this transaction has decided it so far, if it changed here (newer than the database's). */
  latest(alertId: string): Alert | undefined {
    for (let i = this.changes.length - 1; i >= 0; i--) {
      if (this.changes[i]!.alert.id === alertId) return this.changes[i]!.alert
    }
    return undefined
  }

  /** How much the work holds now, to drop what a failed effect added. */
  mark() {
    return [this.changes.length, this.problems.length, this.feed.length, this.afterCommit.length] as const
  }

  rewind([changes, problems, feed, afterCommit]: ReturnType<AlertWork['mark']>) {
    this.changes.length = changes
    this.problems.length = problems
    this.feed.length = feed
    this.afterCommit.length = afterCommit
  }

  /** Hub-raised alerts (delivery failures, nobody on duty, …), decided against their active ones at commit. */
  raise(...sources: HubAlertSource[]) {
    this.problems.push(...sources)
  }
}
