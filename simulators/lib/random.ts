// A seeded pseudo-random source (mulberry32): the same seed gives the same fleet, picks and timings, so a
// simulator run can be repeated exactly.

export class Random {
  private state: number

  constructor(seed: number) {
    this.state = seed >>> 0
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  /** Uniform in [mean - spread, mean + spread]. */
  around(mean: number, spread: number): number {
    return mean + (this.next() * 2 - 1) * spread
  }

  /** Exponentially distributed wait with the given mean: the gaps of a Poisson process. */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean
  }

  /** `count` distinct items, in a random order (a partial Fisher-Yates shuffle of a copy). */
  sample<T>(items: readonly T[], count: number): T[] {
    const copy = [...items]
    const n = Math.min(count, copy.length)
    for (let i = 0; i < n; i++) {
      const j = this.int(i, copy.length - 1)
      ;[copy[i], copy[j]] = [copy[j]!, copy[i]!]
    }
    return copy.slice(0, n)
  }

  /** A key drawn with probability proportional to its weight; undefined when no weight is positive. */
  weighted(weights: Readonly<Record<string, number>>): string | undefined {
    const entries = Object.entries(weights).filter(([, w]) => w > 0)
    let r = this.next() * entries.reduce((sum, [, w]) => sum + w, 0)
    for (const [key, w] of entries) {
      r -= w
      if (r < 0) return key
    }
    return entries.at(-1)?.[0]
  }
}
