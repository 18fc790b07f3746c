import t from 'tap'
import { definitions, deviceDefinition, deviceTypes } from '../devices/index.js'
import { Random } from '../simulators/lib/random.js'
import { eventPayload, telemetryPayload } from '../simulators/payloads.js'

// The sweep over every device definition (STYLE.md, habit 2).

t.test('type ids are unique and the registry finds each one', async (t) => {
  t.equal(new Set(deviceTypes).size, definitions.length)
  for (const d of definitions) t.equal(deviceDefinition(d.type), d)
  t.equal(deviceDefinition('toaster'), undefined)
})

for (const def of definitions) {
  t.test(def.type, async (t) => {
    t.ok(def.description.length > 10, 'has a description')
    t.ok(def.heartbeatSeconds > 0, 'has a heartbeat interval')
    t.ok('low-battery' in def.events, 'any device may send low-battery')

    const opens = new Set(
      Object.values(def.events).flatMap((r) => (r.action === 'open' ? [r.alertType] : [])),
    )
    for (const [type, rule] of Object.entries(def.events)) {
      t.ok(
        ['open', 'cancel', 'clear', 'ignore'].includes(rule.action),
        `${type} maps to a rule or is ignored`,
      )
      if (rule.action === 'open')
        t.ok(rule.priority >= 1 && rule.priority <= 4, `${type} has a priority 1..4`)
      if (rule.action === 'cancel' || rule.action === 'clear') {
        t.ok(opens.has(rule.alertType), `${type} refers to an alert type this device opens`)
      }
    }

    const sampled = new Set<string>()
    for (const sample of def.samples.events) {
      const e = def.decodeEvent(sample)
      t.ok(e.type in def.events, `sample decodes to a known event type (${e.type})`)
      t.ok(e.ts instanceof Date && !Number.isNaN(e.ts.getTime()), 'device time is a valid date')
      t.ok(e.id.length > 0)
      sampled.add(e.type)
    }
    for (const type of Object.keys(def.events)) t.ok(sampled.has(type), `a sample covers ${type}`)
    for (const sample of def.samples.telemetry) {
      const r = def.decodeTelemetry(sample)
      t.ok(r.ts instanceof Date)
      for (const v of Object.values(r.values)) t.type(v, 'number')
    }
    for (const bad of def.samples.invalid)
      t.throws(() => def.decodeEvent(bad), `refuses ${JSON.stringify(bad)}`)
    t.throws(() => def.decodeTelemetry({ ts: 1, battery: 101 }), 'refuses a battery over 100')
    t.throws(() => def.decodeEvent({ id: 'x', ts: 1, type: 'no-such-type' }), 'refuses an unknown event type')
  })

  t.test(`${def.type}: simulator profile`, async (t) => {
    const profile = def.simulator
    t.ok(profile, 'has a simulator profile')
    t.ok(profile.batteryDrainPerDay > 0, 'its battery drains')
    t.ok(profile.rssi.mean < 0, 'a plausible RSSI')
    // zod drops unknown keys: a profile field the schema does not know would vanish from every reading
    const rng = new Random(7)
    for (let i = 0; i < 20; i++) {
      const reading = def.decodeTelemetry(telemetryPayload(def, 100 - i * 5, Date.now(), rng))
      t.same(
        Object.keys(reading.values).sort(),
        Object.keys(profile.telemetry).sort(),
        'every profile field is stored',
      )
      t.ok(reading.rssi !== undefined && reading.battery !== undefined)
    }
    const drawn = Object.keys(profile.randomEvents)
    t.ok(drawn.length > 0, 'draws some random events')
    for (const type of drawn) t.ok(type in def.events, `random event ${type} is one of its types`)
    for (const type of Object.keys(def.events)) {
      const e = def.decodeEvent(eventPayload(def, type, 'sim-1', Date.now()))
      t.equal(e.type, type, `the simulator's ${type} payload, built from the sample, decodes`)
    }
  })
}

t.test('a vendor payload decodes to the canonical form', async (t) => {
  const e = deviceDefinition('call-button')!.decodeEvent({ evt: 'SOS', seq: 9, t: 1_795_000_000_000, key: 2 })
  t.match(e, { id: 'v-9', type: 'sos', state: 'alarm', fields: { button: 'pendant' } })
})

t.test('state defaults to alarm; ISO and epoch times both decode', async (t) => {
  const def = deviceDefinition('fall-sensor')!
  const a = def.decodeEvent({ id: '1', ts: '2026-11-23T07:00:00+08:00', type: 'fall' })
  const b = def.decodeEvent({ id: '2', ts: Date.parse('2026-11-22T23:00:00Z'), type: 'fall' })
  t.equal(a.state, 'alarm')
  t.equal(a.ts.getTime(), b.ts.getTime())
})
