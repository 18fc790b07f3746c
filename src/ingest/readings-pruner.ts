import type { Logger } from 'pino'
import { Periodic } from '../periodic.js'
import type { Db } from '../store/db.js'

// Retention on plain PostgreSQL (TimescaleDB drops whole chunks by its own policy instead): every hour, the
// readings older than HUB_READINGS_RETENTION are deleted in chunks on the main pool, so no single statement
// holds many row locks or a long transaction.

const EVERY_MS = 3_600_000
const CHUNK = 10_000

export class ReadingsPruner {
  private readonly ticker: Periodic

  constructor(private readonly deps: { db: Db; log: Logger; retentionMs: number }) {
    this.ticker = new Periodic({
      what: 'readings prune',
      everyMs: EVERY_MS,
      pass: () => this.prune(),
      log: deps.log,
      unref: true,
    })
  }

  start() {
    this.ticker.start()
  }

  async stop() {
    await this.ticker.stop()
  }

  /** Deletes every reading older than the retention before `now`; returns how many. */
  async prune(now = new Date()): Promise<number> {
    const { db, retentionMs, log } = this.deps
    const before = new Date(now.getTime() - retentionMs)
    let total = 0
    try {
      for (;;) {
        const { rowCount } = await db.query(
          `DELETE FROM readings WHERE ctid = ANY(ARRAY(SELECT ctid FROM readings WHERE ts < $1 LIMIT $2))`,
          [before, CHUNK],
        )
        total += rowCount ?? 0
        if (!rowCount) return total
      }
    } catch (err) {
      log.error({ err }, 'deleting readings past their retention failed; the next hour tries again')
      return total
    }
  }
}
