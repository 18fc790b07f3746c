// Group commit: items submitted while a batch is being written go into the next batch, so a burst costs
// a few transactions and a lone item is written at once (or after `lingerMs`, when batches are also sized by
// time). A submitter's promise settles when its batch has
// committed (the PUBACK waits on it). `concurrency` batches are in flight at most (1: in order); the queue is
// bounded.

export interface GroupCommitOptions {
  maxBatch: number
  /** how long a batch may wait to fill up to maxBatch before it is written (0: never waits) */
  lingerMs?: number
  /** items queued at most; submit() waits for room, offer() refuses */
  capacity: number
  /** called when a batch failed and will be retried */
  onRetry?: (err: unknown, size: number) => void
  /** awaited before each batch is written: telemetry waits here while alarms are being committed */
  gate?: () => Promise<void>
  /** called each time the queue has been written out and nothing is in flight */
  onIdle?: () => void
  /**
   * batches written at once (default 1). More than one lets the next batch be built and sent while the last
   * one commits: throughput when every item's sender waits for its commit (QoS 1 PUBACKs), at no cost in order
   * where items are independent.
   */
  concurrency?: number
}

interface Pending<T> {
  item: T
  resolve: () => void
  reject: (err: unknown) => void
}

/** A database error that will recur if retried: the item itself is bad (SQLSTATE class 22 or 23). */
export function isPermanent(err: unknown): boolean {
  const code = (err as { code?: unknown }).code
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23')) && !isRace(err)
}

/** Another hub opened the same alert first: retrying finds its row and folds into it. */
const isRace = (err: unknown) =>
  ['alerts_one_active', 'alerts_one_active_hub'].includes((err as { constraint?: string }).constraint ?? '')

/** Refused because the hub is shutting down: not a fault, the device retries after reconnecting. */
export class StoppingError extends Error {
  constructor() {
    super('the hub is stopping')
  }
}

export class GroupCommitter<T> {
  private queue: Pending<T>[] = []
  private running = false
  private inFlight = 0
  /** set while the loop waits for a batch to end or for items to arrive */
  private nudge?: () => void
  private stopped = false
  private room: (() => void)[] = []
  /** set while a batch lingers: called when the queue reaches a full batch */
  private filled?: () => void

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    private readonly opts: GroupCommitOptions,
  ) {}

  get depth() {
    return this.queue.length
  }

  /** Items queued or a batch being written. */
  get busy() {
    return this.running
  }

  /** Resolves once the item is committed; rejects if it is refused by the database or the hub stops. */
  async submit(item: T): Promise<void> {
    while (this.queue.length >= this.opts.capacity && !this.stopped) {
      await new Promise<void>((r) => this.room.push(r))
    }
    return this.enqueue(item)
  }

  /** Queues the item if there is room (fire and forget); false when it was shed. */
  offer(item: T): boolean {
    if (this.queue.length >= this.opts.capacity) return false
    this.enqueue(item).catch(() => {})
    return true
  }

  private enqueue(item: T): Promise<void> {
    if (this.stopped) return Promise.reject(new StoppingError())
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject })
      if (this.queue.length >= this.opts.maxBatch) this.filled?.()
      if (this.inFlight < (this.opts.concurrency ?? 1)) this.wakeLoop()
      if (!this.running) {
        this.running = true
        setImmediate(() => void this.loop())
      }
    })
  }

  private async loop(): Promise<void> {
    const concurrency = this.opts.concurrency ?? 1
    for (;;) {
      if (this.queue.length > 0 && this.inFlight < concurrency) {
        await this.linger()
        // after lingering, so no batch starts while the gate is shut; items arriving meanwhile join this batch
        if (this.opts.gate && !this.stopped) await this.opts.gate()
        const batch = this.queue.splice(0, this.opts.maxBatch)
        for (const wake of this.room.splice(0)) wake()
        this.inFlight++
        void this.commit(batch, 0).finally(() => {
          this.inFlight--
          this.wakeLoop()
        })
        continue
      }
      if (this.queue.length === 0 && this.inFlight === 0) break
      await new Promise<void>((resolve) => (this.nudge = resolve))
    }
    this.running = false
    this.opts.onIdle?.()
    this.idle?.()
  }

  private wakeLoop() {
    const nudge = this.nudge
    this.nudge = undefined
    nudge?.()
  }

  /** Waits up to lingerMs for a full batch; a full queue or stopping cuts it short. */
  private async linger(): Promise<void> {
    const ms = this.opts.lingerMs ?? 0
    if (ms <= 0 || this.stopped || this.queue.length >= this.opts.maxBatch) return
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.filled?.(), ms)
      this.filled = () => {
        clearTimeout(timer)
        this.filled = undefined
        resolve()
      }
    })
  }

  private async commit(batch: Pending<T>[], attempt: number): Promise<void> {
    try {
      await this.write(batch.map((p) => p.item))
      for (const p of batch) p.resolve()
    } catch (err) {
      if (isPermanent(err)) {
        if (batch.length === 1) return batch[0]!.reject(err)
        // isolate the bad item: the rest of the batch must not be lost with it
        const half = Math.ceil(batch.length / 2)
        await this.commit(batch.slice(0, half), 0)
        return this.commit(batch.slice(half), 0)
      }
      if (this.stopped && attempt >= 3) {
        for (const p of batch) p.reject(err)
        return
      }
      this.opts.onRetry?.(err, batch.length)
      await new Promise((r) => setTimeout(r, Math.min(5_000, 50 * 2 ** attempt)))
      return this.commit(batch, attempt + 1)
    }
  }

  private idle?: () => void

  /** Writes everything queued, then refuses new items. */
  async drain(): Promise<void> {
    this.stopped = true
    this.filled?.()
    for (const wake of this.room.splice(0)) wake()
    if (this.running) await new Promise<void>((r) => (this.idle = r))
  }
}
