// Telemetry is admitted under a budget so that alarms pre-empt it. A reading is admitted only while the alarm
// path is idle and fewer than `budget` admitted readings are still uncommitted (a lagging database fills the
// budget). A QoS 1 reading that is not admitted waits, and with it its PUBACK: back-pressure on the device.
// A QoS 0 reading that is not admitted at once is shed (the caller counts it).

export interface AdmissionOptions {
  /** admitted readings not yet committed, at most */
  budget: number
  /** true while an alarm is queued or being committed */
  alarmBusy: () => boolean
}

export type Refusal = 'alarm-busy' | 'budget'

/** waiting readings admitted per turn of the event loop */
const SLICE = 200

export class TelemetryAdmission {
  private admitted = 0
  /** FIFO of waiting readings; `head` avoids shifting a long array on every admission */
  private waiting: (() => void)[] = []
  private head = 0
  /** set when the hub stops: everything is admitted and refused downstream */
  private open = false
  private wakeScheduled = false

  constructor(private readonly opts: AdmissionOptions) {}

  /** Why a reading cannot be admitted now, or null when it can. */
  private refusal(): Refusal | null {
    if (this.open) return null
    if (this.opts.alarmBusy()) return 'alarm-busy'
    if (this.admitted >= this.opts.budget) return 'budget'
    return null
  }

  /** Admits at once or says why not (QoS 0: the reading is then shed). */
  tryEnter(): Refusal | null {
    // waiting QoS 1 readings go first: a QoS 0 one must not jump the queue
    const why = this.refusal() ?? (this.queued > 0 ? 'budget' : null)
    if (why === null) this.admitted++
    return why
  }

  /** Resolves once admitted (QoS 1: the device's PUBACK waits meanwhile). */
  enter(): Promise<void> {
    if (this.queued === 0 && this.refusal() === null) {
      this.admitted++
      return Promise.resolve()
    }
    return new Promise((resolve) => this.waiting.push(resolve))
  }

  /** An admitted reading was committed (or failed): its share of the budget is free again. */
  leave() {
    this.admitted--
    this.wake()
  }

  /**
   * Admits waiting readings, oldest first, while the budget allows; call when the alarm path goes idle.
   * At most SLICE per turn of the event loop: thousands released at once would be decoded in one go and keep
   * an alarm arriving meanwhile from being read.
   */
  wake() {
    if (this.wakeScheduled) return
    for (let n = 0; n < SLICE; n++) {
      if (this.queued === 0 || this.refusal() !== null) return
      this.admitNext()
    }
    this.wakeScheduled = true
    setImmediate(() => {
      this.wakeScheduled = false
      this.wake()
    })
  }

  private admitNext() {
    const resolve = this.waiting[this.head++]!
    if (this.head >= 1024 && this.head * 2 >= this.waiting.length) {
      this.waiting = this.waiting.slice(this.head)
      this.head = 0
    }
    this.admitted++
    resolve()
  }

  private get queued() {
    return this.waiting.length - this.head
  }

  /** Admits everyone waiting regardless of the budget (the hub is stopping: they are refused downstream). */
  release() {
    this.open = true
    while (this.queued > 0) this.admitNext()
  }

  get depth() {
    return { admitted: this.admitted, waiting: this.queued }
  }
}
