import t from 'tap'
import { z } from 'zod'
import { defineDevice } from '../devices/definition.js'
import { fallSensor } from '../devices/fall-sensor.js'
import { definitions, METRIC_SLOTS } from '../devices/index.js'

// A type's `metrics` name the telemetry numbers stored in typed columns (m1 … m4): checked when it is defined.

const spec = {
  type: 'test-meter',
  description: 'test',
  heartbeatSeconds: 60,
  events: {},
  samples: { events: [], telemetry: [], invalid: [] },
  simulator: { rssi: { mean: -60, jitter: 1 }, batteryDrainPerDay: 0, telemetry: {}, randomEvents: {} },
  telemetryFields: { a: z.number(), b: z.number(), c: z.number(), d: z.number(), e: z.number() },
}

t.test('metrics are at most four distinct telemetry fields of the type', async (t) => {
  // every shipped definition passed the same check when it was imported
  for (const d of definitions)
    t.ok((d.metrics ?? []).length <= METRIC_SLOTS, `${d.type}: at most ${METRIC_SLOTS}`)
  t.same(fallSensor.metrics, ['occupancy', 'respiration'])
  t.doesNotThrow(() => defineDevice({ ...spec, metrics: ['a', 'b', 'c', 'd'] }))
  t.throws(() => defineDevice({ ...spec, metrics: ['a', 'b', 'c', 'd', 'e'] }), /at most 4/)
  t.throws(() => defineDevice({ ...spec, metrics: ['nope'] }), /telemetry fields/)
  t.throws(() => defineDevice({ ...spec, metrics: ['a', 'a'] }), /distinct/)
})
