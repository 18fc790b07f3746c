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
}

const US_PER_MS = 1000

export class Latency {
  private readonly h: Histogram = build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 10 * 60 * 1_000_000,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
  })

  record(ms: number) {
    this.h.recordValue(Math.max(1, Math.round(ms * US_PER_MS)))
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
    }
  }

  destroy() {
    this.h.destroy()
  }
}
