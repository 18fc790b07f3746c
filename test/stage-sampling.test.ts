import t from 'tap'
import { stageStart, TELEMETRY_TIMED_EVERY } from '../src/ingest/stage-sampling.js'

t.test('every event is timed, one reading in TELEMETRY_TIMED_EVERY', async (t) => {
  const n = 10 * TELEMETRY_TIMED_EVERY
  const events = Array.from({ length: n }, () => stageStart('events'))
  t.ok(
    events.every((s) => typeof s === 'bigint'),
    'events',
  )
  const readings = Array.from({ length: n }, () => stageStart('telemetry'))
  t.equal(readings.filter((s) => s !== null).length, 10, 'readings: a fixed one in N')
  t.ok(stageStart('status') !== null, 'status messages are few: timed')
})
