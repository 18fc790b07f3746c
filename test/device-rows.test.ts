import t from 'tap'
import { DeviceRows, type DeviceUpdate } from '../src/ingest/device-rows.js'

const at = (ms: number) => new Date(Date.UTC(2026, 11, 2) + ms)
const update = (ms: number, over: Partial<DeviceUpdate> = {}): DeviceUpdate => ({
  seen: at(ms),
  battery: null,
  rssi: null,
  status: null,
  rejected: 0,
  ...over,
})

function rowsAt() {
  let now = 0
  const rows = new DeviceRows(1000, () => now)
  return { rows, set: (ms: number) => (now = ms) }
}

t.test(
  'the first message of a device is written at once; later ones within the window are held',
  async (t) => {
    const { rows, set } = rowsAt()
    let taken = rows.take(new Map([['d1', update(0, { battery: 80, rssi: -60 })]]), false)
    t.same([...taken.due.keys()], ['d1'])
    rows.committed(taken.due)
    set(200)
    taken = rows.take(new Map([['d1', update(200, { battery: 80, rssi: -70 })]]), false)
    t.equal(taken.due.size, 0, 'same battery, 200 ms later: held')
    t.equal(rows.holding, 1)
    set(300)
    taken = rows.take(new Map([['d1', update(300, { rssi: -75 })]]), false)
    t.equal(taken.due.size, 0)
    set(1000)
    taken = rows.take(new Map([['d1', update(1000, { rssi: -65 })]]), false)
    t.same(
      taken.due.get('d1'),
      update(1000, { battery: 80, rssi: -65 }),
      'a second on: written, with what was held folded in',
    )
    t.same(taken.carried.get('d1'), update(300, { battery: 80, rssi: -75 }))
    t.equal(rows.holding, 0)
  },
)

t.test('status, rejects and a battery change are written at once', async (t) => {
  const { rows, set } = rowsAt()
  rows.committed(rows.take(new Map([['d1', update(0, { battery: 80 })]]), false).due)
  set(100)
  for (const over of [{ status: 'offline' }, { rejected: 1 }, { battery: 79 }]) {
    const { due } = rows.take(new Map([['d1', update(100, over)]]), false)
    t.equal(due.size, 1, JSON.stringify(over))
    rows.committed(due)
  }
  const { due } = rows.take(new Map([['d1', update(150, { battery: 79 })]]), false)
  t.equal(due.size, 0, 'the new level, once written, no longer counts as a change')
})

t.test('a flush takes everything held; a failed batch holds its carried updates again', async (t) => {
  const { rows, set } = rowsAt()
  rows.committed(
    rows.take(
      new Map([
        ['d1', update(0)],
        ['d2', update(0)],
      ]),
      false,
    ).due,
  )
  set(100)
  rows.take(
    new Map([
      ['d1', update(100, { rssi: -50 })],
      ['d2', update(100, { rejected: 0 })],
    ]),
    false,
  )
  t.equal(rows.holding, 2)
  const flush = rows.take(new Map(), true)
  t.same([...flush.due.keys()].sort(), ['d1', 'd2'])
  t.equal(rows.holding, 0)
  rows.failed(flush.carried)
  t.equal(rows.holding, 2, 'held again after the failure')
  set(200)
  rows.take(new Map([['d1', update(200, { rssi: -40 })]]), false)
  const again = rows.take(new Map(), true)
  t.same(again.due.get('d1'), update(200, { rssi: -40 }), 'newer values win over the failed ones')
  t.equal(again.due.get('d1')?.seen.getTime(), at(200).getTime())
})

t.test("a failed batch's own updates are not held: they are retried with its items", async (t) => {
  const { rows, set } = rowsAt()
  set(0)
  rows.committed(rows.take(new Map([['d1', update(0)]]), false).due)
  const failedBatch = rows.take(new Map([['d1', update(10, { rejected: 2 })]]), false)
  rows.failed(failedBatch.carried)
  t.equal(rows.holding, 0)
})
