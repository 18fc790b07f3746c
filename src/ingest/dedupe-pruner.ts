import type { Logger } from 'pino'
import type { Db } from '../store/db.js'
import { pruneEventIds } from '../store/events.js'

// Keeps the dedupe table to one window of events: every hour, the ids whose window has passed are forgotten
// in chunks (off the alarm path: the main pool, and never more than one chunk's locks at a time).

const EVERY_MS = 3_600_000

export class DedupePruner {
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> = Promise.resolve()

  constructor(private readonly deps: { db: Db; log: Logger; dedupeWindowMs: number }) {}

  start() {
    this.timer = setInterval(() => {
      this.running = this.prune().then(() => {})
    }, EVERY_MS)
    this.timer.unref()
  }

  async stop() {
    clearInterval(this.timer)
    await this.running
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
