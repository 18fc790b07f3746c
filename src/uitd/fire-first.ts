// A queue of frame jobs with a bound on how many run at once, where a frame carrying a fire alarm goes ahead
// of every other waiting one: a UITD replaying hours of state reports after an outage never holds back another
// UITD's fire alarm behind them (the events writer below it is FIFO).

export class FireFirst {
  private readonly fire: (() => Promise<void>)[] = []
  private readonly other: (() => Promise<void>)[] = []
  private running = 0

  constructor(private readonly concurrency = 32) {}

  push(job: () => Promise<void>, fire: boolean) {
    ;(fire ? this.fire : this.other).push(job)
    this.next()
  }

  get waiting() {
    return this.fire.length + this.other.length
  }

  private next() {
    while (this.running < this.concurrency) {
      const job = this.fire.shift() ?? this.other.shift()
      if (!job) return
      this.running++
      // jobs handle their own errors; the finally only frees the slot
      job().finally(() => {
        this.running--
        this.next()
      })
    }
  }
}
