import { mkdir, writeFile } from 'node:fs/promises'
import { arch, cpus, platform, totalmem } from 'node:os'
import path from 'node:path'
import type { BenchOptions } from './options.js'
import { type PassResult, passClean } from './pass.js'
import type { RoundResult } from './round.js'
import type { StartupResult } from './startup.js'

// The report: every figure per target as median and range over the rounds, the hub/bare ratio of the
// medians against the issue's targets, startup times; text for people, JSON for machines.

export interface Stat {
  median: number
  min: number
  max: number
  values: number[]
}

export interface Figure {
  name: string
  unit: string
  bare: Stat
  hub: Stat
  /** hub median / bare median */
  ratio: number
  target?: { text: string; met: boolean }
}

function stat(values: number[]): Stat {
  const v = [...values].sort((a, b) => a - b)
  const mid = Math.floor(v.length / 2)
  const median = v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2
  return { median, min: v[0]!, max: v.at(-1)!, values }
}

interface Metric {
  name: string
  unit: string
  of: (r: RoundResult) => number
  target?: (hub: number, bare: number, ratio: number) => { text: string; met: boolean }
}

const atMost = (x: number) => (_h: number, _b: number, ratio: number) => ({
  text: `≤ ${x}× bare`,
  met: ratio <= x,
})

const METRICS: Metric[] = [
  { name: 'connect storm: every device connects', unit: 'ms', of: (r) => r.connect.ms, target: atMost(1.5) },
  { name: 'memory per connection', unit: 'KiB', of: (r) => r.memory.perConnection / 1024, target: atMost(2) },
  { name: 'SOS → far end p50, idle', unit: 'ms', of: (r) => r.light.e2e.p50 },
  { name: 'SOS → far end p99, idle', unit: 'ms', of: (r) => r.light.e2e.p99 },
  { name: 'SOS → far end p50, under telemetry', unit: 'ms', of: (r) => r.loaded.e2e.p50 },
  {
    name: 'SOS → far end p99, under telemetry',
    unit: 'ms',
    of: (r) => r.loaded.e2e.p99,
    target: atMost(1.5),
  },
  {
    name: 'telemetry QoS 1 delivered (hub: rows stored)',
    unit: 'msg/s',
    of: (r) => r.throughput.perSecond,
    target: (hub, _b, ratio) => ({ text: '≥ 20,000/s and ≥ 0.5× bare', met: hub >= 20_000 && ratio >= 0.5 }),
  },
]

export interface BenchReport {
  generatedAt: string
  command: string
  options: BenchOptions
  environment: {
    node: string
    platform: string
    cpus: number
    cpuModel: string
    memoryGiB: number
    database: string
  }
  figures: Figure[]
  rounds: RoundResult[]
  startup?: StartupResult
  problems: string[]
  ok: boolean
}

function passProblem(round: RoundResult, r: PassResult): string | undefined {
  if (passClean(r)) return undefined
  return `${r.label} round ${round.round}: ${r.sent} sent, ${r.missing.length} never arrived, ${r.unacked.length} never acknowledged${r.failures.length ? `; ${r.failures[0]}` : ''}`
}

export function buildReport(
  o: BenchOptions,
  database: string,
  rounds: RoundResult[],
  startup: StartupResult | undefined,
  problems: string[],
): BenchReport {
  const of = (kind: 'bare' | 'hub') => rounds.filter((r) => r.target === kind)
  const both = of('bare').length > 0 && of('hub').length > 0
  const figures = both
    ? METRICS.map((m) => {
        const bare = stat(of('bare').map(m.of))
        const hub = stat(of('hub').map(m.of))
        const ratio = hub.median / bare.median
        return {
          name: m.name,
          unit: m.unit,
          bare,
          hub,
          ratio,
          target: m.target?.(hub.median, bare.median, ratio),
        }
      })
    : []
  for (const r of rounds) {
    problems.push(...[passProblem(r, r.light), passProblem(r, r.loaded)].filter((p) => p !== undefined))
    if (r.connect.devices < o.devices)
      problems.push(`${r.target} round ${r.round}: ${r.connect.devices} of ${o.devices} connected`)
    if (r.throughput.delivered < r.throughput.acked)
      problems.push(
        `${r.target} round ${r.round}: ${r.throughput.acked - r.throughput.delivered} acknowledged readings never delivered`,
      )
    if (r.load.failed || r.load.unacked)
      problems.push(
        `${r.target} round ${r.round}: telemetry load had ${r.load.failed} failures, ${r.load.unacked} unacknowledged`,
      )
  }
  const c = cpus()
  return {
    generatedAt: new Date().toISOString(),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    options: o,
    environment: {
      node: process.version,
      platform: `${platform()} ${arch()}`,
      cpus: c.length,
      cpuModel: c[0]?.model.trim() ?? 'unknown',
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      database,
    },
    figures,
    rounds,
    startup,
    problems,
    ok: problems.length === 0 && both,
  }
}

const num = (v: number) => (!Number.isFinite(v) ? '—' : Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2))
const range = (s: Stat) => `${num(s.median)} (${num(s.min)}–${num(s.max)})`

export function formatReport(r: BenchReport): string {
  const e = r.environment
  const o = r.options
  const w = [44, 26, 26, 8]
  const row = (cells: string[]) => cells.map((c, i) => (i ? c.padStart(w[i]!) : c.padEnd(w[0]!))).join('  ')
  const lines = [
    '',
    `eldercare hub benchmark · ${o.devices} call buttons · ${o.rounds} interleaved rounds per target (bare, hub, …)`,
    `node ${e.node} · ${e.platform} · ${e.cpus} × ${e.cpuModel} · database: ${e.database}`,
    `loaded pass: every device sends one QoS 1 reading every ${o.telemetryEveryMs / 1000} s (${((o.devices * 1000) / o.telemetryEveryMs).toFixed(0)} msg/s); ` +
      `probes: ${o.probes} SOS per pass at ${o.probeRate}/s; flood: ${o.publishers} devices × ${o.window} in flight for ${o.floodSeconds} s`,
    '',
    row(['median (min–max) over rounds', 'bare aedes', 'hub', 'hub/bare']),
  ]
  for (const f of r.figures) {
    lines.push(row([`${f.name}, ${f.unit}`, range(f.bare), range(f.hub), `${f.ratio.toFixed(2)}×`]))
    if (f.target) lines.push(`    target ${f.target.text}: ${f.target.met ? 'met' : 'NOT MET'}`)
  }
  lines.push(
    '',
    'far end: bare = a wildcard subscriber gets the PUBLISH; hub = `alert.opened` on the live feed, after the',
    'event and its alert are committed to PostgreSQL. Both servers run alone in a child process; the clients',
    'share this one.',
  )
  if (r.startup) {
    lines.push(
      '',
      'startup: spawn `node --import tsx src/main.ts` → first 200 from GET /healthz; SIGTERM → exit',
    )
    for (const s of r.startup.runs)
      lines.push(
        `  ${s.label.padEnd(30)} ready ${s.readyMs.toFixed(0).padStart(6)} ms   stopped ${s.stopMs.toFixed(0).padStart(5)} ms`,
      )
  }
  lines.push(
    '',
    r.ok
      ? 'result: every message arrived'
      : `result: FAILED\n${r.problems.map((p) => `  - ${p}`).join('\n')}`,
  )
  return lines.join('\n')
}

export async function writeJsonReport(file: string, r: BenchReport) {
  await mkdir(path.dirname(file), { recursive: true })
  await writeFile(file, `${JSON.stringify(r, null, 2)}\n`)
}
