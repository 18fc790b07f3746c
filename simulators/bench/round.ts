import type { SimDevice } from '../device.js'
import { sleep } from '../lib/util.js'
import type { FleetDevice } from '../sim/fleet.js'
import type { Cleanup } from './cleanup.js'
import { connectAll, disconnectAll, flood, probe, type ThroughputResult, telemetryLoad } from './load.js'
import type { BenchOptions } from './options.js'
import type { PassResult } from './pass.js'
import { startBare, startHub, type Target } from './targets.js'

type HubTarget = Awaited<ReturnType<typeof startHub>>

// One round against one target, started fresh in its own process: every device connects at once (for the
// hub, a reconnect storm after a restart: each CONNECT is authenticated against the database), memory per
// connection, SOS latency idle and under telemetry load, then a telemetry flood.

export interface RoundResult {
  target: 'bare' | 'hub'
  round: number
  connect: { devices: number; ms: number }
  /** resident memory of the server process, bytes */
  memory: { idle: number; connected: number; perConnection: number }
  light: PassResult
  loaded: PassResult
  load: { perSecond: number; sent: number; failed: number; unacked: number }
  throughput: ThroughputResult
  stopMs: number
}

const PROBE_SETTLE_MS = 30_000

export async function runRound(
  kind: 'bare' | 'hub',
  round: number,
  fleet: readonly FleetDevice[],
  o: BenchOptions & { databaseUrl: string },
  cleanup: Cleanup,
  log: (line: string) => void,
): Promise<RoundResult> {
  const target: Target = kind === 'bare' ? await startBare(cleanup) : await startHub(o.databaseUrl, cleanup)
  let devices: SimDevice[] = []
  cleanup.defer(`disconnect the ${kind} devices`, () => disconnectAll(devices, o.connectConcurrency))
  const idle = await target.server.rss()
  const connected = await connectAll(target, fleet, o.connectConcurrency)
  devices = connected.devices
  log(`${kind} round ${round}: ${devices.length} devices connected in ${connected.ms.toFixed(0)} ms`)
  await sleep(1_000) // let the server finish its per-connection work before reading its memory
  const withAll = await target.server.rss()

  // each pass probes devices of its own, so every SOS opens a fresh alert on the hub
  const byId = new Map(devices.map((d) => [d.id, d]))
  const probeSet = (pass: number) =>
    fleet.slice((2 * round + pass) * o.probes, (2 * round + pass + 1) * o.probes).map((f) => byId.get(f.id)!)
  const light = await probe(target, probeSet(0), o.probeRate, PROBE_SETTLE_MS, `${kind} idle`)

  const load = telemetryLoad(devices, o.telemetryEveryMs)
  await sleep(Math.min(o.telemetryEveryMs, 5_000)) // every device has started reporting
  const loaded = await probe(target, probeSet(1), o.probeRate, PROBE_SETTLE_MS, `${kind} loaded`)
  const loadEnd = await load.stop(PROBE_SETTLE_MS)
  log(
    `${kind} round ${round}: SOS p99 idle ${light.e2e.p99.toFixed(2)} ms, under load ${loaded.e2e.p99.toFixed(2)} ms`,
  )

  const cpuBefore = await serverCpuSeconds(target)
  const throughput = await flood(target, devices.slice(0, o.publishers), o.window, o.floodSeconds)
  const cpuPerReading = ((await serverCpuSeconds(target)) - cpuBefore) / throughput.delivered
  if (kind === 'hub')
    log(`hub round ${round}: ${(cpuPerReading * 1e6).toFixed(1)} µs of hub CPU per reading stored`)
  log(
    `${kind} round ${round}: ${throughput.delivered} of ${throughput.acked} telemetry delivered, ${throughput.perSecond.toFixed(0)}/s`,
  )

  await disconnectAll(devices, o.connectConcurrency)
  devices = []
  const stopMs = await target.stop()
  return {
    target: kind,
    round,
    connect: { devices: connected.devices.length, ms: connected.ms },
    memory: { idle, connected: withAll, perConnection: (withAll - idle) / connected.devices.length },
    light,
    loaded,
    load: { perSecond: (fleet.length * 1000) / o.telemetryEveryMs, ...loadEnd },
    throughput,
    stopMs,
  }
}

/** The hub's CPU time so far (its /metrics), to price a stored reading; NaN for the bare broker. */
async function serverCpuSeconds(target: Target): Promise<number> {
  if (target.kind !== 'hub') return Number.NaN
  const text = await (await fetch(new URL('/metrics', (target as HubTarget).api.base))).text()
  return Number(text.match(/^process_cpu_seconds_total (\S+)$/m)?.[1])
}
