import { build, type Histogram } from 'hdr-histogram-js'

// Latencies go into an HDR histogram in microseconds (3 significant digits) and come out in milliseconds.

export interface LatencySummary {
  count: number
  p50: number
  p90: number
  p99: number
  p999: number
  max: number
  mean: number
  /** how many latencies fell at or below each edge (ms) and above the previous one; the last edge is ∞ */
  histogram: { le: number; count: number }[]
}

/** Bucket edges of the printed histogram, in ms. */
const EDGES = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, Number.POSITIVE_INFINITY]

const US_PER_MS = 1000

export class Latency {
  private readonly h: Histogram = build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 10 * 60 * 1_000_000,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
  })

  private readonly buckets = EDGES.map(() => 0)

  record(ms: number) {
    this.h.recordValue(Math.max(1, Math.round(ms * US_PER_MS)))
    this.buckets[EDGES.findIndex((e) => ms <= e)]!++
  }

  get count() {
    return this.h.totalCount
  }

  summary(): LatencySummary {
    const n = this.h.totalCount
    const max = this.h.maxValue
    // a percentile is its bucket's upper edge, which can lie a hair above the recorded maximum
    const at = (p: number) => (n ? Math.min(this.h.getValueAtPercentile(p), max) / US_PER_MS : Number.NaN)
    return {
      count: n,
      p50: at(50),
      p90: at(90),
      p99: at(99),
      p999: at(99.9),
      max: n ? max / US_PER_MS : Number.NaN,
      mean: n ? this.h.mean / US_PER_MS : Number.NaN,
      histogram: EDGES.map((le, i) => ({ le, count: this.buckets[i]! })),
    }
  }

  destroy() {
    this.h.destroy()
  }
}
