import type { LatencySummary } from '../lib/stats.js'
import type { FloodRound } from './flood-mode.js'
import type { BenchOptions } from './options.js'
import { passClean } from './pass.js'

// The `--flood` report: p50/p99 of each alarm on each target, quiet and flooded, and the ratios the issue
// sets targets for (hub flooded / hub quiet ≤ 2×; hub / bare under the same flood, for information).

const ms = (s: LatencySummary) => `${s.p50.toFixed(1).padStart(8)}${s.p99.toFixed(1).padStart(9)}`

export function floodReport(o: BenchOptions, rounds: FloodRound[]) {
  const hub = rounds.find((r) => r.target === 'hub')
  const bare = rounds.find((r) => r.target === 'bare')
  const ratio = (a?: number, b?: number) => (a !== undefined && b ? a / b : Number.NaN)
  const targets = hub && {
    sosFloodedOverQuiet: ratio(hub.flooded.sos.e2e.p99, hub.quiet.sos.e2e.p99),
    fireFloodedOverQuiet: ratio(hub.flooded.fire.e2e.p99, hub.quiet.fire.e2e.p99),
    sosHubOverBareFlooded: ratio(hub.flooded.sos.e2e.p99, bare?.flooded.sos.e2e.p99),
    sosHubOverBareQuiet: ratio(hub.quiet.sos.e2e.p99, bare?.quiet.sos.e2e.p99),
  }
  const clean = rounds.every(
    (r) => !r.stopError && [r.quiet.sos, r.quiet.fire, r.flooded.sos, r.flooded.fire].every(passClean),
  )
  const lines = [
    `\nalarm flood benchmark · ${o.probes} SOS + ${o.probes} smoke at ${o.probeRate}/s each · flood: ${o.floodDevices} devices × 1 QoS 1 reading / ${o.floodEveryMs} ms`,
    'hub: SOS → alert.opened, smoke → monitoring centre receives "fire"; bare: PUBLISH → subscriber',
    `${'ms'.padEnd(40)}     p50      p99`,
  ]
  for (const r of rounds) {
    lines.push(`${r.target} quiet, SOS`.padEnd(40) + ms(r.quiet.sos.e2e))
    lines.push(`${r.target} quiet, fire`.padEnd(40) + ms(r.quiet.fire.e2e))
    lines.push(`${r.target} flooded, SOS`.padEnd(40) + ms(r.flooded.sos.e2e))
    lines.push(`${r.target} flooded, fire`.padEnd(40) + ms(r.flooded.fire.e2e))
    if (r.stages) {
      const fmt = (m: Record<string, number>) =>
        Object.entries(m)
          .map(([k, v]) => `${k} ${v.toFixed(2)}`)
          .join(', ')
      lines.push(`${r.target} mean ms per stage, quiet: ${fmt(r.stages.quiet)}`)
      lines.push(`${r.target} mean ms per stage, flooded: ${fmt(r.stages.flooded)}`)
      lines.push(`${r.target} event-loop lag p99 at the end: ${r.stages.lagP99Ms.toFixed(1)} ms`)
    }
    if (r.stopError) lines.push(`${r.target} did not stop cleanly: ${r.stopError}`)
    const t = r.telemetry
    lines.push(
      `${r.target} flood: ${t.sent} readings sent in ${t.seconds.toFixed(1)} s, ${t.failed} failed, ${t.unacked} unacked`,
    )
  }
  if (targets) {
    const x = (v: number) => `${v.toFixed(2)}×`
    lines.push(
      `hub p99 flooded / quiet: SOS ${x(targets.sosFloodedOverQuiet)}, fire ${x(targets.fireFloodedOverQuiet)} (target ≤ 2×)`,
      `hub / bare SOS p99: quiet ${x(targets.sosHubOverBareQuiet)}, flooded ${x(targets.sosHubOverBareFlooded)}`,
    )
  }
  lines.push(clean ? 'result: every alarm arrived' : 'result: SOME ALARMS MISSING (see the JSON report)')
  return { text: lines.join('\n'), ok: clean, targets }
}
