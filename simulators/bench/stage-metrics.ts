// The hub's per-stage ingest histograms (`hub_ingest_stage_seconds`) read from its /metrics before and after
// a pass: mean time per message in each stage over the pass, and the event loop's lag p99 at its end.

export type StageTotals = Record<string, { sum: number; count: number }>

export interface StageSnapshot {
  stages: StageTotals
  eventLoopLagP99: number
}

const LINE = /^hub_ingest_stage_seconds_(sum|count)\{pipeline="(\w+)",stage="([\w-]+)"\} (\S+)$/

export async function stageSnapshot(metricsUrl: string): Promise<StageSnapshot> {
  const text = await (await fetch(metricsUrl)).text()
  const stages: StageTotals = {}
  let eventLoopLagP99 = Number.NaN
  for (const line of text.split('\n')) {
    const m = line.match(LINE)
    if (m) {
      const key = `${m[2]} ${m[3]}`
      stages[key] = { sum: 0, count: 0, ...stages[key], [m[1]!]: Number(m[4]) }
    } else if (line.startsWith('nodejs_eventloop_lag_p99_seconds '))
      eventLoopLagP99 = Number(line.split(' ')[1])
  }
  return { stages, eventLoopLagP99 }
}

/** Mean ms per message in each stage between two snapshots. */
export function stageMeans(before: StageSnapshot, after: StageSnapshot): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [k, a] of Object.entries(after.stages)) {
    const b = before.stages[k] ?? { sum: 0, count: 0 }
    if (a.count > b.count) out[k] = ((a.sum - b.sum) / (a.count - b.count)) * 1000
  }
  return out
}
