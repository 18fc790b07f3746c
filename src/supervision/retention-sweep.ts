import type { Logger } from 'pino'
import type { AlertRunner } from '../alerting/runner.js'
import { Periodic } from '../periodic.js'
import { alertsPastRetention, eraseAlertDetails } from '../store/personal-data.js'

// Retention: resolved alerts keep their personal details (notes, recipients and addresses, the device's
// reading) for `keepMs` (HUB_ALERT_DETAILS_RETENTION), then lose them as an erased resident's alerts do; the
// alert itself stays for statistics. Hourly, in batches, through the alerting runner.

const BATCH = 500

export interface RetentionSweepDeps {
  alerts: AlertRunner
  log: Logger
  keepMs: number
  everyMs?: number
}

export class RetentionSweep {
  private readonly ticker: Periodic

  constructor(private readonly deps: RetentionSweepDeps) {
    this.ticker = new Periodic({
      what: 'retention sweep',
      everyMs: deps.everyMs ?? 3_600_000,
      pass: () => this.sweep(),
      log: deps.log,
    })
  }

  start() {
    this.ticker.start()
  }

  async stop() {
    await this.ticker.stop()
  }

  /** Erases details of alerts past retention, a batch per transaction; returns how many. */
  async sweep(): Promise<number> {
    let total = 0
    for (;;) {
      const { result } = await this.deps.alerts.run(async (work) => {
        const ids = await alertsPastRetention(work.tx, new Date(work.now.getTime() - this.deps.keepMs), BATCH)
        await eraseAlertDetails(work.tx, ids, work.now)
        return ids.length
      })
      total += result
      if (result < BATCH) return total
    }
  }
}
