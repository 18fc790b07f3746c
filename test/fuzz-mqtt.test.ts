import fc from 'fast-check'
import t from 'tap'
import { definitions } from '../devices/index.js'
import { deviceTopic } from '../src/contract/topics.js'
import { startTestHub } from './fixtures/hub.js'
import { within } from './fixtures/mqtt.js'

// Property: whatever a device sends on its own topics — its definition's samples, mutated; any JSON; any bytes —
// is acknowledged (a bad payload is rejected and kept, never retried forever), the connection stays up, the hub
// stays healthy, and a neighbour's SOS still opens its alert. One device of every type, bounded runs.

const RUNS = Number(process.env.FUZZ_RUNS ?? 40)

/** Values that have broken parsers and databases before. */
const nasty = fc.constantFrom<unknown>(
  '\u0000',
  'a\u0000b',
  '\ud800',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  'x'.repeat(5000),
  '',
  -1,
  0,
  1e308,
  -1e308,
  Number.MAX_SAFE_INTEGER + 2,
  '2026-13-45T99:99:99Z',
  '1970-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
  null,
  true,
  [],
  {},
  { __proto__: { polluted: true } },
)
const anyValue = fc.oneof(nasty, fc.jsonValue({ maxDepth: 3 }))

/** A sample with one field changed, removed or added. */
function mutated(sample: Record<string, unknown>) {
  const keys = Object.keys(sample)
  return fc.oneof(
    fc.tuple(fc.constantFrom(...keys), anyValue).map(([k, v]) => ({ ...sample, [k]: v })),
    fc.constantFrom(...keys).map((k) => {
      const { [k]: _, ...rest } = sample
      return rest
    }),
    fc.tuple(fc.string({ maxLength: 20 }), anyValue).map(([k, v]) => ({ ...sample, [k]: v })),
  )
}

function payloads(samples: unknown[]) {
  const objects = samples.filter((s): s is Record<string, unknown> => !!s && typeof s === 'object')
  return fc.oneof(
    { weight: 4, arbitrary: fc.oneof(...objects.map(mutated)).map((v) => Buffer.from(JSON.stringify(v))) },
    { weight: 1, arbitrary: anyValue.map((v) => Buffer.from(JSON.stringify(v) ?? 'undefined')) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 200, unit: 'binary' }).map((s) => Buffer.from(s)) },
  )
}

t.test('fuzzed device payloads are acknowledged and disturb nobody', async (t) => {
  const h = await startTestHub(t)
  const { site, resident, device: neighbourCreds } = await h.provision('call-button')
  const neighbour = await h.connectDevice(neighbourCreds)
  const feed = await h.live()

  for (const def of definitions) {
    await t.test(def.type, async (t) => {
      const creds = await h.create('/api/v1/devices', {
        type: def.type,
        siteId: site.id,
        residentId: resident.id,
      })
      const dev = await h.connectDevice(creds)
      let closed = false
      dev.client.once('close', () => {
        closed = true
      })
      const channel = fc.constantFrom('events' as const, 'telemetry' as const)
      await fc.assert(
        fc.asyncProperty(
          channel,
          payloads([...def.samples.events, ...def.samples.invalid]),
          async (ch, payload) => {
            await within(
              dev.client.publishAsync(deviceTopic(creds.id, ch), payload, { qos: 1 }),
              10_000,
              `PUBACK for ${payload.toString('hex').slice(0, 80)}`,
            )
            return !closed
          },
        ),
        { numRuns: RUNS, seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined },
      )
      await fc.assert(
        fc.asyncProperty(payloads(def.samples.telemetry), async (p) => {
          await within(
            dev.client.publishAsync(deviceTopic(creds.id, 'telemetry'), p, { qos: 1 }),
            10_000,
            'PUBACK',
          )
          return !closed
        }),
        { numRuns: RUNS, seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined },
      )
      t.notOk(closed, 'the fuzzed device stayed connected')
    })
  }

  const id = await neighbour.event('sos')
  const opened = await feed.waitFor((m) => m.kind === 'alert.opened' && m.data.deviceId === neighbourCreds.id)
  t.equal(opened.data.event?.id, id, "the neighbour's alarm still arrives")
  t.equal((await h.api('GET', '/healthz')).status, 200)
})
