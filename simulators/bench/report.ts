import { writeFile } from 'node:fs/promises'
import { arch, cpus, platform } from 'node:os'
import type { BareResult } from './bare-broker.js'
import type { HubResult } from './hub-run.js'
import type { BenchOptions } from './options.js'
import { type PassResult, passClean } from './pass.js'
import type { StartupResult } from './startup.js'
import type { LatencySummary } from './stats.js'

// The report: one table of latencies, the hub/bare p99 ratios against the target, startup times; as text
// for people and as JSON for machines.

export const TARGET_RATIO = 1.5

export interface Ratio {
  pass: 'paced' | 'burst'
  hubP99: number
  bareP99: number
  ratio: number
  met: boolean
}

export interface Report {
  generatedAt: string
  options: { devices: number; rate: number }
  environment: { node: string; platform: string; cpus: number; cpuModel: string; database: string }
  hub?: HubResult
  bare?: BareResult
  startup?: StartupResult
  ratios: Ratio[]
  targetRatio: number
  problems: string[]
  ok: boolean
}

export function buildReport(
  o: BenchOptions,
  parts: { hub?: HubResult; bare?: BareResult; startup?: StartupResult },
  problems: string[],
): Report {
  const ratios: Ratio[] = []
  for (const pass of ['paced', 'burst'] as const) {
    const hub = parts.hub?.[pass]
    const bare = parts.bare?.[pass]
    if (!hub || !bare) continue
    const ratio = hub.e2e.p99 / bare.e2e.p99
    ratios.push({ pass, hubP99: hub.e2e.p99, bareP99: bare.e2e.p99, ratio, met: ratio <= TARGET_RATIO })
  }
  const all = [parts.hub?.paced, parts.hub?.burst, parts.bare?.paced, parts.bare?.burst]
  for (const r of all) if (r && !passClean(r)) problems.push(passProblem(r))
  problems.push(...(parts.hub?.problems ?? []))
  const c = cpus()
  return {
    generatedAt: new Date().toISOString(),
    options: { devices: o.devices, rate: o.rate },
    environment: {
      node: process.version,
      platform: `${platform()} ${arch()}`,
      cpus: c.length,
      cpuModel: c[0]?.model.trim() ?? 'unknown',
      database: parts.hub?.database ?? (process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded'),
    },
    ...parts,
    ratios,
    targetRatio: TARGET_RATIO,
    problems,
    ok: problems.length === 0 && all.every((r) => r !== undefined) && parts.startup !== undefined,
  }
}

function passProblem(r: PassResult): string {
  const parts = [
    r.missing.length && `${r.missing.length} never arrived (e.g. ${r.missing.slice(0, 3).join(', ')})`,
    r.unacked.length && `${r.unacked.length} never acknowledged`,
    r.failures.length && `publish failures: ${r.failures.slice(0, 3).join('; ')}`,
  ].filter(Boolean)
  return `${r.label}: ${r.sent} sent; ${parts.join('; ') || 'nothing sent'}`
}

const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '—')
const pad = (s: string, n: number) => s.padEnd(n)
const lpad = (s: string, n: number) => s.padStart(n)

const COLUMNS = ['count', 'p50', 'p90', 'p99', 'p99.9', 'max', 'events/s'] as const
const LABEL_WIDTH = 46
const COL_WIDTH = 9

function row(label: string, s: LatencySummary, throughput?: number): string {
  const cells = [String(s.count), ms(s.p50), ms(s.p90), ms(s.p99), ms(s.p999), ms(s.max)]
  cells.push(throughput === undefined ? '' : Number.isFinite(throughput) ? throughput.toFixed(0) : '—')
  return pad(label, LABEL_WIDTH) + cells.map((c) => lpad(c, COL_WIDTH)).join('')
}

function passRows(who: 'hub' | 'bare', r: PassResult | undefined): string[] {
  if (!r) return [`${pad(`${who}  (not measured)`, LABEL_WIDTH)}`]
  const mode = r.mode.kind === 'paced' ? `paced ${r.mode.rate}/s` : 'burst'
  const far = who === 'hub' ? 'alert.opened on live feed' : 'wildcard subscriber'
  const lost = r.missing.length ? `   ${r.missing.length} MISSING` : ''
  return [
    row(`${pad(who, 5)}${pad(mode, 13)}→ ${far}`, r.e2e, r.throughput) + lost,
    row(`${pad('', 18)}→ PUBACK${who === 'hub' ? ' (after commit)' : ''}`, r.puback),
  ]
}

export function formatReport(r: Report): string {
  const e = r.environment
  const lines = [
    '',
    `eldercare hub benchmark: ${r.options.devices} call buttons, one SOS each per pass (QoS 1, MQTT 3.1.1, 127.0.0.1)`,
    `node ${e.node} · ${e.platform} · ${e.cpus} × ${e.cpuModel} · database: ${e.database}`,
    '',
    pad('latency from publish, ms', LABEL_WIDTH) + COLUMNS.map((c) => lpad(c, COL_WIDTH)).join(''),
    ...passRows('hub', r.hub?.paced),
    ...passRows('bare', r.bare?.paced),
    ...passRows('hub', r.hub?.burst),
    ...passRows('bare', r.bare?.burst),
    '',
    `hub p99 / bare p99 (target ≤ ${TARGET_RATIO}×)`,
    ...r.ratios.map(
      (x) =>
        `  ${pad(x.pass, 6)} ${lpad(ms(x.hubP99), 8)} / ${lpad(ms(x.bareP99), 6)} ms = ` +
        `${lpad(x.ratio.toFixed(2), 6)}×   ${x.met ? 'met' : 'NOT MET'}`,
    ),
    '  (the hub commits each event to PostgreSQL before its PUBACK and its alert; bare aedes keeps messages',
    '   in memory. Both brokers, and all their clients, share this one Node process.)',
  ]
  if (r.startup) {
    lines.push(
      '',
      'startup: spawn `node --import tsx src/main.ts` → first 200 from GET /healthz; SIGTERM → exit',
    )
    for (const s of r.startup.runs) {
      lines.push(
        `  ${pad(s.label, 30)} ready ${lpad(s.readyMs.toFixed(0), 6)} ms   stopped ${lpad(s.stopMs.toFixed(0), 5)} ms`,
      )
    }
  }
  if (r.hub) {
    const s = r.hub.setupMs
    lines.push(
      '',
      `hub setup: in-process start ${s.start.toFixed(0)} ms · provisioning over HTTP ${s.provision.toFixed(0)} ms · ` +
        `MQTT connects ${s.connect.toFixed(0)} ms · resolving between passes ${s.resolve.toFixed(0)} ms`,
      `live feed: ${r.hub.feed.received} messages, ${r.hub.feed.seqGaps ? `${r.hub.feed.seqGaps} seq gaps` : 'seq gap-free'}`,
    )
  }
  lines.push(
    '',
    r.ok ? 'result: every event arrived' : `result: FAILED\n${r.problems.map((p) => `  - ${p}`).join('\n')}`,
  )
  return lines.join('\n')
}

export async function writeJsonReport(file: string, r: Report) {
  await writeFile(file, `${JSON.stringify(r, null, 2)}\n`)
}
