import { performance } from 'node:perf_hooks'
import { deviceDefinition } from '../../devices/index.js'
import { type DeviceCredentials, SimDevice } from '../device.js'
import { Random } from '../lib/random.js'
import { mapLimit, sleep } from '../lib/util.js'
import { eventPayload, telemetryPayload } from '../payloads.js'
import { drive, Pass, type PassResult } from './pass.js'
import type { Target } from './targets.js'

// What the benchmark's devices do, identically against either target: connect all at once (the reconnect
// storm), send SOS probes at a fixed rate, keep up a telemetry load, or flood telemetry as fast as their
// PUBACKs allow. Payloads come from the call button's definition.

const button = deviceDefinition('call-button')!
const rng = new Random(5)

export async function connectAll(target: Target, creds: readonly DeviceCredentials[], concurrency: number) {
  const devices: SimDevice[] = []
  const t = performance.now()
  await mapLimit(creds, concurrency, async (c) => {
    const d = await SimDevice.connect(target.mqttUrl, c, { connectTimeout: 60_000 })
    d.client.on('error', () => {}) // a late socket error shows as a failed publish
    devices.push(d)
  })
  return { devices, ms: performance.now() - t }
}

export async function disconnectAll(devices: readonly SimDevice[], concurrency: number) {
  await mapLimit(devices, concurrency, (d) => d.client.endAsync(true).catch(() => {}))
}

/** One SOS from each device at `rate` per second, timed from publish to arrival at the far end. */
export async function probe(
  target: Target,
  devices: readonly SimDevice[],
  rate: number,
  settleMs: number,
  label: string,
): Promise<PassResult> {
  const pass = new Pass(label, { kind: 'paced', rate }, devices.length)
  target.onArrival = (deviceId, eventId) => pass.arrived(`${deviceId}/${eventId}`)
  await drive(devices.length, pass.mode, (i) => {
    const d = devices[i]!
    const id = d.newEventId()
    const key = `${d.id}/${id}`
    pass.sending(key)
    const payload = JSON.stringify(eventPayload(button, 'sos', id, d.now()))
    d.publish('events', payload).then(
      () => pass.acked(key),
      (err) => pass.failed(key, err),
    )
  })
  const result = await pass.settle(settleMs)
  target.onArrival = () => {}
  return result
}

const reading = (d: SimDevice) => JSON.stringify(telemetryPayload(button, 90, d.now(), rng))

/** Every device sends one QoS 1 reading every `everyMs`, phases spread evenly, until stop(). */
export function telemetryLoad(devices: readonly SimDevice[], everyMs: number) {
  let stopped = false
  let sent = 0
  let failed = 0
  const inflight = new Set<Promise<unknown>>()
  const timers = devices.map((d, i) => {
    const send = () => {
      if (stopped) return
      sent++
      const p = d.publish('telemetry', reading(d)).catch(() => failed++)
      inflight.add(p)
      p.finally(() => inflight.delete(p))
    }
    const first = setTimeout(
      () => {
        send()
        timers[i] = setInterval(send, everyMs)
      },
      (everyMs * i) / devices.length,
    )
    return first
  })
  return {
    /** Stops sending and waits (at most `ms`) for the PUBACKs still due. */
    async stop(ms: number) {
      stopped = true
      for (const t of timers) clearTimeout(t)
      await Promise.race([Promise.all(inflight), sleep(ms)])
      return { sent, failed, unacked: inflight.size }
    },
  }
}

export interface ThroughputResult {
  sent: number
  acked: number
  delivered: number
  /** first publish → last delivery */
  ms: number
  perSecond: number
}

/**
 * `publishers` devices each keep `window` QoS 1 readings in flight for `seconds`; then waits until the far
 * end has every acknowledged message (rows in the hub's database, or the bare subscriber's receipts).
 */
export async function flood(
  target: Target,
  publishers: readonly SimDevice[],
  window: number,
  seconds: number,
): Promise<ThroughputResult> {
  const before = await target.delivered()
  let sent = 0
  let acked = 0
  const t0 = performance.now()
  const until = t0 + seconds * 1000
  await Promise.all(
    publishers.flatMap((d) =>
      Array.from({ length: window }, async () => {
        while (performance.now() < until) {
          sent++
          await d.publish('telemetry', reading(d))
          acked++
        }
      }),
    ),
  )
  // the hub acknowledges after the commit, the bare broker before delivery: wait for the far end
  let delivered = (await target.delivered()) - before
  let last = performance.now()
  for (const deadline = last + 30_000; delivered < acked && performance.now() < deadline; ) {
    await sleep(5)
    delivered = (await target.delivered()) - before
    last = performance.now()
  }
  const ms = last - t0
  return { sent, acked, delivered, ms, perSecond: (delivered / ms) * 1000 }
}
