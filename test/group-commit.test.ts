import t from 'tap'
import { GroupCommitter } from '../src/ingest/group-commit.js'

const tick = () => new Promise((r) => setTimeout(r, 5))

t.test('items submitted while a batch is being written go into the next batch', async (t) => {
  const batches: number[][] = []
  let release!: () => void
  const gc = new GroupCommitter<number>(
    async (items) => {
      batches.push(items)
      if (batches.length === 1) await new Promise<void>((r) => (release = r))
    },
    { maxBatch: 100, capacity: 1000 },
  )
  const first = gc.submit(1)
  await tick()
  const rest = [2, 3, 4].map((n) => gc.submit(n))
  await tick()
  t.same(batches, [[1]], 'the first item is written at once, alone')
  release()
  await Promise.all([first, ...rest])
  t.same(batches, [[1], [2, 3, 4]])
})

t.test('a submitter settles only after its batch is written', async (t) => {
  let written = false
  const gc = new GroupCommitter<string>(
    async () => {
      await tick()
      written = true
    },
    { maxBatch: 10, capacity: 10 },
  )
  await gc.submit('x')
  t.ok(written)
})

t.test('a permanently bad item is isolated; the rest of its batch is written', async (t) => {
  const written: number[] = []
  const gc = new GroupCommitter<number>(
    async (items) => {
      if (items.includes(13)) throw Object.assign(new Error('bad row'), { code: '22P02' })
      written.push(...items)
    },
    { maxBatch: 100, capacity: 100 },
  )
  const results = await Promise.allSettled([1, 2, 13, 4, 5].map((n) => gc.submit(n)))
  t.same(
    results.map((r) => r.status),
    ['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled'],
  )
  t.same(written.sort(), [1, 2, 4, 5])
})

t.test('a transient failure is retried until it succeeds', async (t) => {
  let calls = 0
  let retries = 0
  const gc = new GroupCommitter<number>(
    async () => {
      if (++calls < 3) throw Object.assign(new Error('connection lost'), { code: '08006' })
    },
    { maxBatch: 10, capacity: 10, onRetry: () => retries++ },
  )
  await gc.submit(1)
  t.equal(calls, 3)
  t.equal(retries, 2)
})

t.test('offer sheds when the queue is full; submit waits for room', async (t) => {
  let release!: () => void
  const gc = new GroupCommitter<number>(
    async () => {
      await new Promise<void>((r) => (release = r))
    },
    { maxBatch: 2, capacity: 2 },
  )
  const a = gc.submit(1)
  await tick() // 1 is being written; the queue is empty again
  t.ok(gc.offer(2))
  t.ok(gc.offer(3))
  t.notOk(gc.offer(4), 'full: shed')
  let waitedDone = false
  const waiting = gc.submit(5).then(() => (waitedDone = true))
  await tick()
  t.notOk(waitedDone)
  release()
  await a
  await tick()
  release()
  await tick()
  release()
  await waiting
  t.ok(waitedDone)
})

t.test('drain writes what is queued, then refuses new items', async (t) => {
  const written: number[] = []
  const gc = new GroupCommitter<number>(
    async (items) => {
      await tick()
      written.push(...items)
    },
    { maxBatch: 1, capacity: 10 },
  )
  const pending = [1, 2, 3].map((n) => gc.submit(n))
  await gc.drain()
  await Promise.all(pending)
  t.same(written, [1, 2, 3])
  await t.rejects(gc.submit(4), /stopping/)
})

t.test('with lingerMs a batch waits to fill up: a full one goes at once, drain cuts the wait', async (t) => {
  const batches: number[][] = []
  const gc = new GroupCommitter<number>(
    async (items) => {
      batches.push(items)
    },
    { maxBatch: 3, capacity: 10, lingerMs: 60_000 },
  )
  await Promise.all([1, 2, 3].map((n) => gc.submit(n)))
  t.same(batches, [[1, 2, 3]], 'a full batch is written without lingering')
  const lone = gc.submit(4)
  await tick()
  t.same(batches, [[1, 2, 3]], 'a lone item waits for company')
  const more = [5, 6].map((n) => gc.submit(n))
  await Promise.all([lone, ...more])
  t.same(
    batches,
    [
      [1, 2, 3],
      [4, 5, 6],
    ],
    'the batch is written as soon as it is full',
  )
  const last = gc.submit(7)
  await gc.drain()
  await last
  t.same(batches.at(-1), [7], 'stopping writes a lingering batch at once')
})

t.test(
  'with concurrency 2 the next batch is written while one is still committing, never a third',
  async (t) => {
    const started: number[][] = []
    const releases: (() => void)[] = []
    let idle = 0
    const gc = new GroupCommitter<number>(
      async (items) => {
        started.push(items)
        await new Promise<void>((r) => releases.push(r))
      },
      { maxBatch: 100, capacity: 1000, concurrency: 2, onIdle: () => idle++ },
    )
    const a = gc.submit(1)
    await tick()
    const b = gc.submit(2)
    await tick()
    t.same(started, [[1], [2]], 'a second batch starts while the first is in flight')
    const c = [3, 4].map((n) => gc.submit(n))
    await tick()
    t.same(started, [[1], [2]], 'no third batch while two are in flight')
    t.equal(gc.busy, true)
    releases[1]!()
    await b
    await tick()
    t.same(started, [[1], [2], [3, 4]], 'a slot freed: what queued meanwhile goes as one batch')
    let aSettled = false
    void a.then(() => (aSettled = true))
    await tick()
    t.equal(aSettled, false, 'each submitter waits for its own batch, not for a later one')
    releases[0]!()
    releases[2]!()
    await Promise.all([a, ...c])
    await tick()
    t.equal(gc.busy, false)
    t.equal(idle, 1, 'idle once, when nothing is queued or in flight')
  },
)
