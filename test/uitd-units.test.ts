import t from 'tap'
import { deviceDefinition } from '../devices/index.js'
import { FireFirst } from '../src/uitd/fire-first.js'
import { carriesFire, labelToDate } from '../src/uitd/objects.js'

// The receiver's pure parts: fire frames jump the queue, the UITD definition reads state bits, time labels are
// read in the site's zone.

t.test('a fire frame goes ahead of every waiting frame', async (t) => {
  const q = new FireFirst(1)
  const ran: string[] = []
  let release!: () => void
  const first = new Promise<void>((r) => {
    release = r
  })
  q.push(() => first.then(() => void ran.push('busy')), false)
  const done = new Promise<void>((resolve) => {
    for (const name of ['state-1', 'state-2', 'state-3'])
      q.push(async () => {
        ran.push(name)
        if (name === 'state-3') resolve()
      }, false)
    q.push(async () => void ran.push('fire'), true)
  })
  t.equal(q.waiting, 4)
  release()
  await done
  t.same(ran, ['busy', 'fire', 'state-1', 'state-2', 'state-3'])
})

t.test('the UITD definition reads the state bits', async (t) => {
  const def = deviceDefinition('uitd')!
  const ts = '2026-12-02T01:00:00.000Z'
  const of = (unit: string, state: number) => def.decodeEvent({ id: '1.0', ts, unit, state }).type
  t.equal(of('component-state', 0b11), 'fire', 'fire bit')
  t.equal(of('system-state', 0b111), 'fire', 'fire wins over fault')
  t.equal(of('system-state', 1 << 8), 'fault', 'main power fault')
  t.equal(of('component-state', 1), 'status', 'normal')
  t.equal(of('uitd-state', 0b10), 'fire', "the UITD's own fire bit")
  t.equal(of('uitd-state', 1 << 5), 'fault', 'centre link fault')
  t.match(def.decodeEvent({ id: '2.0', ts, unit: 'system-operation', operation: 0b11, operator: 1 }), {
    type: 'operation',
    fields: { flags: ['reset', 'silence'] },
  })
  t.ok(carriesFire({ type: 2, name: 'component-state', objects: [{ state: 0b11 }] }))
  t.notOk(carriesFire({ type: 3, name: 'component-analog', objects: [{ value: 2 }] }))
})

t.test('a time label is local time of the zone', async (t) => {
  const label = { year: 2026, month: 12, day: 2, hour: 9, minute: 30, second: 0 }
  t.equal(labelToDate(label, 'Asia/Shanghai')?.toISOString(), '2026-12-02T01:30:00.000Z')
  t.equal(labelToDate(label, 'Europe/Berlin')?.toISOString(), '2026-12-02T08:30:00.000Z')
  t.equal(labelToDate({ ...label, month: 2, day: 30 }, 'Asia/Shanghai'), null, '30 February')
})
