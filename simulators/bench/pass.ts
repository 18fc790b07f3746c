import { performance } from 'node:perf_hooks'
import { Latency, type LatencySummary } from '../lib/stats.js'
import { sleep } from '../lib/util.js'

// One measured pass: each of N messages is sent once and expected once at the far end (the hub's live feed
// or the bare broker's subscriber). Latency is taken from just before the publish call.

export type Mode = { kind: 'paced'; rate: number } | { kind: 'burst' }

export interface PassResult {
  label: string
  mode: Mode
  sent: number
  e2e: LatencySummary
  puback: LatencySummary
  /** messages per second, from the first publish to the last arrival */
  throughput: number
  elapsedMs: number
  /** keys sent that never arrived at the far end (or were never acknowledged) */
  missing: string[]
  unacked: string[]
  failures: string[]
  /** arrivals that matched nothing sent in this pass */
  unexpected: number
}

export class Pass {
  private readonly e2e = new Latency()
  private readonly puback = new Latency()
  private readonly sentAt = new Map<string, number>()
  private readonly awaitingArrival = new Set<string>()
  private readonly awaitingAck = new Set<string>()
  private readonly failures: string[] = []
  private unexpected = 0
  private firstSent = Number.POSITIVE_INFINITY
  private lastArrival = 0
  private wake?: () => void

  constructor(
    readonly label: string,
    readonly mode: Mode,
    readonly expected: number,
  ) {}

  /** Call just before publishing message `key`. */
  sending(key: string) {
    const t0 = performance.now()
    if (this.sentAt.has(key)) throw new Error(`pass ${this.label}: ${key} sent twice`)
    this.sentAt.set(key, t0)
    this.awaitingArrival.add(key)
    this.awaitingAck.add(key)
    if (t0 < this.firstSent) this.firstSent = t0
  }

  /** The publish resolved (PUBACK received). */
  acked(key: string) {
    const now = performance.now()
    const t0 = this.sentAt.get(key)
    if (t0 === undefined || !this.awaitingAck.delete(key)) return
    this.puback.record(now - t0)
    this.check()
  }

  /** The publish failed: it stays missing. */
  failed(key: string, err: unknown) {
    this.awaitingAck.delete(key)
    if (this.failures.length < 20) this.failures.push(`${key}: ${(err as Error)?.message ?? err}`)
    this.check()
  }

  /** The message reached the far end. */
  arrived(key: string) {
    const now = performance.now()
    const t0 = this.sentAt.get(key)
    if (t0 === undefined || !this.awaitingArrival.delete(key)) {
      this.unexpected++
      return
    }
    this.e2e.record(now - t0)
    this.lastArrival = now
    this.check()
  }

  private get done() {
    return (
      this.sentAt.size === this.expected && this.awaitingArrival.size === 0 && this.awaitingAck.size === 0
    )
  }

  private check() {
    if (this.done) this.wake?.()
  }

  /** Waits (at most `timeoutMs`) for every arrival and PUBACK, then summarises. */
  async settle(timeoutMs: number): Promise<PassResult> {
    if (!this.done) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs)
        this.wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      this.wake = undefined
    }
    const elapsedMs = this.lastArrival > this.firstSent ? this.lastArrival - this.firstSent : Number.NaN
    const result: PassResult = {
      label: this.label,
      mode: this.mode,
      sent: this.sentAt.size,
      e2e: this.e2e.summary(),
      puback: this.puback.summary(),
      throughput: (this.e2e.count / elapsedMs) * 1000,
      elapsedMs,
      missing: [...this.awaitingArrival],
      unacked: [...this.awaitingAck],
      failures: this.failures,
      unexpected: this.unexpected,
    }
    this.e2e.destroy()
    this.puback.destroy()
    return result
  }
}

/**
 * Calls `fire(i)` for i in 0..count-1: all at once for a burst, or on a fixed schedule at `rate` per second
 * (catching up at once if the timer ran late, so the average rate holds). `fire` must not block.
 */
export async function drive(count: number, mode: Mode, fire: (i: number) => void): Promise<void> {
  if (mode.kind === 'burst') {
    for (let i = 0; i < count; i++) fire(i)
    return
  }
  const interval = 1000 / mode.rate
  const start = performance.now()
  let i = 0
  while (i < count) {
    const now = performance.now()
    while (i < count && start + i * interval <= now) fire(i++)
    if (i < count) await sleep(Math.max(0, start + i * interval - performance.now()))
  }
}

/** A pass's outcome is clean when everything sent arrived, was acknowledged, and nothing failed. */
export const passClean = (r: PassResult) =>
  r.sent > 0 && r.missing.length === 0 && r.unacked.length === 0 && r.failures.length === 0
