import type { Logger } from 'pino'

// Wakes a worker at its next deadline, read from the database: one in-memory timer for the nearest one,
// re-armed after every run. No polling every few ms; the longest sleep is capped so that deadlines another
// hub process wrote (which this one was not told about) are still met within that cap.

const MAX_SLEEP_MS = 5_000
/** when something is due but could not be claimed (another process holds it), look again shortly */
const BUSY_RETRY_MS = 50
const ERROR_RETRY_MS = 1_000

export class DueTimer {
  private timer?: NodeJS.Timeout
  private cycle?: Promise<void>
  private again = false
  private stopped = false

  constructor(
    private readonly name: string,
    /** does everything due now */
    private readonly run: () => Promise<void>,
    private readonly nextDue: () => Promise<Date | null>,
    private readonly log: Logger,
  ) {}

  start() {
    this.wake()
  }

  /** Something new may be due: run now (or right after the current run). */
  wake() {
    if (this.stopped) return
    if (this.cycle) {
      this.again = true
      return
    }
    clearTimeout(this.timer)
    this.cycle = this.runCycle().finally(() => {
      this.cycle = undefined
    })
  }

  private async runCycle() {
    let delay: number
    try {
      do {
        this.again = false
        await this.run()
      } while (this.again && !this.stopped)
      const due = await this.nextDue()
      // a wake() while nextDue() ran may concern work that reading missed: run again at once, never sleep on it
      delay = this.again
        ? 0
        : due === null
          ? MAX_SLEEP_MS
          : Math.max(BUSY_RETRY_MS, Math.min(MAX_SLEEP_MS, due.getTime() - Date.now()))
    } catch (err) {
      if (this.stopped) return
      this.log.error({ err }, `${this.name} failed; retrying`)
      delay = ERROR_RETRY_MS
    }
    if (!this.stopped) this.timer = setTimeout(() => this.wake(), delay)
  }

  async stop() {
    this.stopped = true
    clearTimeout(this.timer)
    await this.cycle
  }
}
