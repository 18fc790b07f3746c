import type { FleetDevice } from '../sim/fleet.js'
import type { Cleanup } from './cleanup.js'
import { connectAll, disconnectAll } from './load.js'
import { startBare, startHub } from './targets.js'

// `npm run bench -- --storm-only`: the connect storm alone, bare then hub, each target fresh in its own process
// per round (for the hub, the reconnect storm after a restart): a quick, repeatable figure for the
// authentication path without the latency and throughput passes.

export interface StormRound {
  target: 'bare' | 'hub'
  round: number
  devices: number
  ms: number
}

export async function stormRound(
  kind: 'bare' | 'hub',
  round: number,
  fleet: readonly FleetDevice[],
  o: { connectConcurrency: number; databaseUrl: string },
  cleanup: Cleanup,
): Promise<StormRound> {
  const target = kind === 'bare' ? await startBare(cleanup) : await startHub(o.databaseUrl, cleanup)
  const { devices, ms } = await connectAll(target, fleet, o.connectConcurrency)
  await disconnectAll(devices, o.connectConcurrency)
  await target.stop()
  return { target: kind, round, devices: devices.length, ms }
}

/** The median per target and the hub/bare ratio of the medians, as text. */
export function stormReport(rounds: StormRound[], devices: number): { text: string; ratio: number } {
  const median = (kind: 'bare' | 'hub') => {
    const v = rounds
      .filter((r) => r.target === kind)
      .map((r) => r.ms)
      .sort((a, b) => a - b)
    const mid = Math.floor(v.length / 2)
    return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2
  }
  const bare = median('bare')
  const hub = median('hub')
  const ratio = hub / bare
  const lines = [
    `connect storm, ${devices} devices, ms per round (bare / hub):`,
    ...rounds.map(
      (r) => `  round ${r.round} ${r.target.padEnd(4)} ${r.ms.toFixed(0)} ms (${r.devices} connected)`,
    ),
    `median: bare ${bare.toFixed(0)} ms, hub ${hub.toFixed(0)} ms, ratio ${ratio.toFixed(2)}× (target ≤ 1.5×)`,
  ]
  return { text: lines.join('\n'), ratio }
}
