// The stage histograms time every alarm but only one reading in TELEMETRY_TIMED_EVERY: in a telemetry flood,
// timing each reading (clock reads, label hashing in prom-client) cost about 5% of the hub's CPU, more than
// some of the stages it timed. A fixed one-in-N sample keeps the means and percentiles unbiased.

export const TELEMETRY_TIMED_EVERY = 16

let seq = 0

/** Now (hrtime) for a message whose stages are to be timed; null for a reading left out of the sample. */
export function stageStart(channel: string): bigint | null {
  if (channel === 'telemetry' && (seq++ & (TELEMETRY_TIMED_EVERY - 1)) !== 0) return null
  return process.hrtime.bigint()
}
