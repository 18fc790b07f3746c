import type { Logger } from 'pino'
import { Periodic } from '../periodic.js'
import type { Db } from '../store/db.js'
import { pruneEventIds } from '../store/events.js'

// Keeps the dedupe table to one window of events: every hour, the ids whose window has passed are forgotten
// in chunks (off the alarm path: the main pool, and never more than one chunk's locks at a time).

const EVERY_MS = 3_600_000

export class DedupePruner {
  private readonly ticker: Periodic

  constructor(private readonly deps: { db: Db; log: Logger; dedupeWindowMs: number }) {
    this.ticker = new Periodic({
      what: 'dedupe prune',
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

  /** Forgets every expired id; returns how many. */
  async prune(now = new Date()): Promise<number> {
    const { db, dedupeWindowMs, log } = this.deps
    let total = 0
    try {
      for (
        let n = await pruneEventIds(db, dedupeWindowMs, now);
        n > 0;
        n = await pruneEventIds(db, dedupeWindowMs, now)
      )
        total += n
    } catch (err) {
      log.error({ err }, 'pruning expired event ids failed; the next hour tries again')
    }
    return total
  }
}
