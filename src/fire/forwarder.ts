import type { Logger } from 'pino'
import type { AlertRunner } from '../alerting/runner.js'
import type { AlertWork } from '../alerting/work.js'
import { DueTimer } from '../notify/due-timer.js'
import { getAlert } from '../store/alerts.js'
import type { Db } from '../store/db.js'
import { confirmFire } from './signal-effect.js'
import { nextHeartbeatDue, queueHeartbeats } from './signals.js'
import { claimDueVerifications, nextVerificationDue, recordAcknowledged } from './verification.js'

// The fire forwarder's timers: verification windows that run out, and the centres' link heartbeats. The
// signals an alert change makes are queued in that change's own transaction (signal-effect.ts), so nothing
// here reads the feed; a confirmation decided here goes through the runner, whose effect queues its signal.

export interface ForwarderDeps {
  db: Db
  alerts: AlertRunner
  log: Logger
  heartbeatMs: number
  /** called when signals were queued */
  onQueued: () => void
}

const BATCH = 50

export class FireForwarder {
  private readonly timer: DueTimer

  constructor(private readonly deps: ForwarderDeps) {
    this.timer = new DueTimer(
      'fire forwarder',
      () => this.run(),
      async () => {
        const due = [await nextVerificationDue(deps.db), await nextHeartbeatDue(deps.db)].filter(
          (d) => d !== null,
        )
        return due.length ? new Date(Math.min(...due.map((d) => d.getTime()))) : null
      },
      deps.log,
    )
  }

  start() {
    this.timer.start()
  }

  /** A verification window started: its deadline may be nearer than the one the timer sleeps towards. */
  wake() {
    this.timer.wake()
  }

  async stop() {
    await this.timer.stop()
  }

  private async run() {
    while ((await this.deps.alerts.run((work) => this.endWindows(work))).result) {}
    const { result: sent } = await this.deps.alerts.run((work) =>
      queueHeartbeats(work.tx, this.deps.heartbeatMs, work.now),
    )
    if (sent > 0) this.deps.onQueued()
  }

  /** Verification windows that ran out: an alarm nobody acknowledged or investigated in time is confirmed. */
  private async endWindows(work: AlertWork): Promise<boolean> {
    const due = await claimDueVerifications(work.tx, BATCH, work.now)
    for (const v of due) {
      const alert = await getAlert(work.tx, v.alertId)
      if (!alert || alert.state === 'resolved') continue
      const acked = alert.acknowledgedAt !== null && alert.acknowledgedAt <= v.ackDue
      if (acked && work.now < v.investigateDue) {
        // acknowledged in time, and no change told us yet: the investigation window runs
        await recordAcknowledged(work.tx, v.alertId, alert.acknowledgedAt!)
        continue
      }
      const how = acked ? 'not investigated within the window' : 'not acknowledged within the window'
      await confirmFire(work, v.alertId, { how })
    }
    return due.length === BATCH
  }
}
