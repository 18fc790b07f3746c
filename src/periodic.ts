import type { Logger } from 'pino'

// A pass run every `everyMs`, never two at once: a pass slower than the period makes the next ticks skip
// rather than pile up. stop() waits for the pass under way, so a shutdown never cuts one in half.

export class Periodic {
  private timer?: NodeJS.Timeout
  private running?: Promise<unknown>

  constructor(
    private readonly opts: {
      /** named in the log when a pass fails */
      what: string
      everyMs: number
      pass: () => Promise<unknown>
      log: Logger
      /** true: the timer alone does not keep the process alive */
      unref?: boolean
    },
  ) {}

  start() {
    const { what, everyMs, pass, log, unref } = this.opts
    this.timer = setInterval(() => {
      this.running ??= pass()
        .catch((err) => log.error({ err }, `${what} failed`))
        .finally(() => {
          this.running = undefined
        })
    }, everyMs)
    if (unref) this.timer.unref()
  }

  async stop() {
    clearInterval(this.timer)
    await this.running
  }
}
