import { errorMessage, withTimeout } from '../lib/util.js'

// Undo steps, run last-registered first, each bounded in time; a failing step is reported and the rest
// still run. Every unfinished Cleanup is reachable from runAllCleanups(), so a signal can tidy up everything
// while the interrupted phase winds down (a step it registers late still runs).

const STEP_TIMEOUT_MS = 30_000
const pending = new Set<Cleanup>()
let interruptedBy: string | undefined

/** The signal that interrupted the benchmark, if any: phases not yet started are skipped. */
export const interrupted = () => interruptedBy

export function markInterrupted(signal: string) {
  interruptedBy ??= signal
}

export class Cleanup {
  private readonly steps: { label: string; fn: () => unknown }[] = []
  private running?: Promise<void>
  private started = false

  constructor() {
    pending.add(this)
  }

  defer(label: string, fn: () => unknown) {
    this.steps.push({ label, fn })
    if (this.started) void this.run()
  }

  run(): Promise<void> {
    this.started = true
    this.running ??= this.drain().finally(() => {
      this.running = undefined
      if (this.steps.length) void this.run()
      else pending.delete(this)
    })
    return this.running
  }

  private async drain() {
    for (let step = this.steps.pop(); step; step = this.steps.pop()) {
      try {
        await withTimeout(Promise.resolve().then(step.fn), STEP_TIMEOUT_MS, `cleanup: ${step.label}`)
      } catch (err) {
        console.error(`bench: cleanup step "${step.label}" failed: ${errorMessage(err)}`)
      }
    }
  }
}

/** Runs `fn` with its own Cleanup, which runs when `fn` settles, whether it succeeded or not. */
export async function scoped<T>(fn: (cleanup: Cleanup) => Promise<T>): Promise<T> {
  const cleanup = new Cleanup()
  try {
    return await fn(cleanup)
  } finally {
    await cleanup.run()
  }
}

/** Runs (or waits for) every Cleanup not yet finished, newest first. */
export async function runAllCleanups() {
  for (let round = 0; round < 10 && pending.size; round++) {
    for (const c of [...pending].reverse()) await c.run()
  }
}
