import { performance } from 'node:perf_hooks'
import { Latency } from '../lib/stats.js'
import { errorMessage } from '../lib/util.js'

// Messages sent and acknowledged per kind, PUBACK latency, and errors by kind: the run's bookkeeping, each
// number changed in one place.

export const messageKinds = ['events', 'telemetry', 'status', 'malformed'] as const
export type MessageKind = (typeof messageKinds)[number]

const zero = () => Object.fromEntries(messageKinds.map((k) => [k, 0])) as Record<MessageKind, number>

export class Counters {
  readonly puback = new Latency()
  readonly sent = zero()
  readonly acked = zero()
  readonly failed = zero()
  readonly errors: Record<string, number> = {}
  /** a few error messages per kind, for the report */
  readonly examples: Record<string, string[]> = {}
  private inflight = 0
  /** publishes still waiting for their PUBACK, by sending device */
  private readonly pendingByDevice = new Map<string, number>()

  /** Counts a publish by `deviceId` and what became of it. */
  track(kind: MessageKind, publish: Promise<unknown>, deviceId: string) {
    const t0 = performance.now()
    this.sent[kind]++
    this.inflight++
    this.pendingByDevice.set(deviceId, (this.pendingByDevice.get(deviceId) ?? 0) + 1)
    publish
      .then(
        () => {
          this.acked[kind]++
          this.puback.record(performance.now() - t0)
        },
        (err) => {
          this.failed[kind]++
          this.error(`publish ${kind}`, err)
        },
      )
      .finally(() => {
        this.inflight--
        this.pendingByDevice.set(deviceId, this.pendingByDevice.get(deviceId)! - 1)
      })
  }

  /** Publishes of these devices still waiting for their PUBACK. */
  pendingOf(deviceIds: string[]) {
    return deviceIds.reduce((n, id) => n + (this.pendingByDevice.get(id) ?? 0), 0)
  }

  error(kind: string, err?: unknown) {
    this.errors[kind] = (this.errors[kind] ?? 0) + 1
    const list = this.examples[kind] ?? []
    if (err !== undefined && list.length < 3) list.push(errorMessage(err))
    this.examples[kind] = list
  }

  get inFlight() {
    return this.inflight
  }

  get totalSent() {
    return messageKinds.reduce((n, k) => n + this.sent[k], 0)
  }

  get totalAcked() {
    return messageKinds.reduce((n, k) => n + this.acked[k], 0)
  }
}
