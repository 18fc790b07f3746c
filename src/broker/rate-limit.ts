// Token buckets for the broker's limits: a device's messages, a device's CONNECTs, an address's failed logins.
// A bucket holds up to `burst` tokens and gains `perSecond` a second; each act takes one.

export interface Rate {
  perSecond: number
  burst: number
}

export class TokenBucket {
  private tokens: number
  private at: number

  constructor(
    private readonly rate: Rate,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = rate.burst
    this.at = now()
  }

  private refill() {
    const t = this.now()
    this.tokens = Math.min(this.rate.burst, this.tokens + ((t - this.at) / 1000) * this.rate.perSecond)
    this.at = t
  }

  /** Takes a token if there is one. */
  take(): boolean {
    this.refill()
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }

  /** Milliseconds until a token is there (0: now). */
  wait(): number {
    this.refill()
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.rate.perSecond) * 1000)
  }

  get full() {
    this.refill()
    return this.tokens >= this.rate.burst
  }
}

/** Buckets by key (a device id, an address); full ones are forgotten, so the map holds only recent actors. */
export class KeyedBuckets {
  private readonly buckets = new Map<string, TokenBucket>()
  private lastSweep = Date.now()

  constructor(private readonly rate: Rate) {}

  private bucket(key: string) {
    const found = this.buckets.get(key)
    if (found) return found
    const b = new TokenBucket(this.rate)
    this.buckets.set(key, b)
    return b
  }

  take(key: string): boolean {
    this.sweep()
    return this.bucket(key).take()
  }

  /** True while the key has no token left (does not take one). */
  exhausted(key: string): boolean {
    return (this.buckets.get(key)?.wait() ?? 0) > 0
  }

  private sweep() {
    if (Date.now() - this.lastSweep < 60_000) return
    this.lastSweep = Date.now()
    for (const [key, b] of this.buckets) if (b.full) this.buckets.delete(key)
  }
}

/**
 * One connection's message budget. Within the rate a message passes at once; above it the message waits for
 * its token (its PUBACK is late: back-pressure, nothing is lost) as long as at most `maxWaiting` do; a
 * connection that sends faster still is flooding, and `admit` answers 'over' (the broker closes it).
 */
export class MessageBudget {
  private readonly bucket: TokenBucket
  private readonly waiting: (() => void)[] = []
  private timer?: NodeJS.Timeout

  constructor(
    rate: Rate,
    private readonly maxWaiting: number,
  ) {
    this.bucket = new TokenBucket(rate)
  }

  /** null: pass now; a promise: pass when it resolves; 'over': refuse. */
  admit(): null | Promise<void> | 'over' {
    if (this.waiting.length === 0 && this.bucket.take()) return null
    if (this.waiting.length >= this.maxWaiting) return 'over'
    const p = new Promise<void>((resolve) => this.waiting.push(resolve))
    this.schedule()
    return p
  }

  private schedule() {
    if (this.timer || this.waiting.length === 0) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      while (this.waiting.length > 0 && this.bucket.take()) this.waiting.shift()!()
      this.schedule()
    }, this.bucket.wait())
  }

  /** The connection closed: what waits is never admitted (unacknowledged, the device sends it again). */
  close() {
    clearTimeout(this.timer)
    this.waiting.length = 0
  }
}
