import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t from 'tap'
import { Random } from '../simulators/lib/random.js'
import { type FleetDevice, fleetSpecSchema, layOut } from '../simulators/sim/fleet.js'
import { parseOptions } from '../simulators/sim/options.js'
import { loadScenario, ScenarioError } from '../simulators/sim/scenario.js'
import { planScenario, scaleSpec } from '../simulators/sim/select.js'

// Scenario files and the plan made from them, without a hub: validation, selectors, scaling and the seed.

interface Teardown {
  teardown(fn: () => unknown): void
}

const fleetOf = (spec = {}): FleetDevice[] =>
  layOut(fleetSpecSchema.parse(spec)).map((d, i) => ({
    ...d,
    type: d.type as FleetDevice['type'],
    id: `dev-${i}`,
    secret: 's',
  }))

async function scenarioFile(t: Teardown, text: string, ext = 'yaml') {
  const dir = await mkdtemp(path.join(tmpdir(), 'sim-plan-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const file = path.join(dir, `s.${ext}`)
  await writeFile(file, text)
  return file
}

t.test('the fleet layout: homes, residents by floor, detectors by zone', async (t) => {
  const devices = fleetOf({ homes: 3, institutions: 1, residents: 4, floors: 2, zones: 2 })
  t.equal(devices.length, 3 * 3 + 4 * 2 + 2 * 2 * 2)
  t.same(
    devices.filter((d) => d.place.home === 2).map((d) => d.type),
    ['call-button', 'fall-sensor', 'smoke-detector'],
  )
  const detectors = devices.filter((d) => d.place.zone)
  t.ok(detectors.every((d) => d.type === 'smoke-detector' && d.place.building === 'A'))
  t.same(new Set(devices.filter((d) => d.place.resident).map((d) => d.place.floor)), new Set(['1', '2']))
  t.same(scaleSpec(fleetSpecSchema.parse({ homes: 500, institutions: 2 }), 0.1), {
    ...fleetSpecSchema.parse({}),
    homes: 50,
    institutions: 1,
  })
})

t.test('selectors pick the same devices for the same seed, others for another', async (t) => {
  const file = await scenarioFile(
    t,
    `name: picks
steps:
  - { at: 1s, name: some, do: power-loss, devices: { type: call-button, count: 5 } }
  - { at: 2s, do: power-restore, devices: { step: some, nth: 2 } }
expect:
  - device: { devices: { except: some, type: call-button, fraction: 0.5 }, online: true }
`,
  )
  const scenario = await loadScenario(file)
  const fleet = fleetOf({ homes: 40, institutions: 0 })
  const ids = (seed: number) => {
    const plan = planScenario(scenario, fleet, new Random(seed), 1)
    return [
      ...plan.steps.map((s) => s.devices.map((d) => d.id)),
      ...plan.expect.map((e) => e.devices.map((d) => d.id)),
    ]
  }
  t.same(ids(1), ids(1), 'reproducible')
  t.not(JSON.stringify(ids(1)), JSON.stringify(ids(2)), 'another seed, other devices')
  const [some, second, others] = ids(3)
  t.equal(some!.length, 5)
  t.same(second, [some![1]], 'nth counts within the named step')
  t.equal(others!.length, 18, 'half of the 35 call buttons left out of the step')
  t.notOk(
    others!.some((id) => some!.includes(id)),
    'except leaves the step’s devices out',
  )
  t.equal(
    planScenario(scenario, fleet, new Random(1), 0.4).steps[0]!.devices.length,
    2,
    '--scale scales counts',
  )
})

t.test('a bad scenario is refused with every problem named', async (t) => {
  const bad = await scenarioFile(
    t,
    `name: bad
steps:
  - { at: soon, do: event, devices: { home: 1 }, event: fall }
  - { at: 1s, do: explode, devices: {} }
`,
  )
  const err = await loadScenario(bad).catch((e) => e)
  t.type(err, ScenarioError)
  t.match(err.message, /steps\[0\]\.at/)
  t.match(err.message, /steps\[1\]\.do/)

  const dangling = await scenarioFile(
    t,
    '{"name":"x","steps":[{"at":1,"do":"power-loss","devices":{"step":"later"}}]}',
    'json',
  )
  await t.rejects(loadScenario(dangling), /step "later" is used before it is named/)

  // well-formed files that do not fit the fleet: refused when the plan is made, before anything runs
  const wrongType = await loadScenario(
    await scenarioFile(
      t,
      'name: x\nsteps: [{ at: 1s, do: event, devices: { type: smoke-detector }, event: sos }]\n',
    ),
  )
  t.throws(() => planScenario(wrongType, fleetOf({ homes: 2 }), new Random(1), 1), /does not send "sos"/)
  const missing = await loadScenario(
    await scenarioFile(t, 'name: x\nsteps: [{ at: 1s, do: power-loss, devices: { home: 99 } }]\n'),
  )
  t.throws(() => planScenario(missing, fleetOf({ homes: 2 }), new Random(1), 1), /matches no device/)
})

t.test('command-line options are validated', async (t) => {
  const o = parseOptions(['--homes', '5', '--home-devices', 'call-button=2', '--telemetry-interval', '2s'])
  t.equal(o.homes, 5)
  t.same(o.homeDevices, { 'call-button': 2 })
  t.equal(o.telemetryInterval, 2_000)
  t.throws(() => parseOptions(['--home-devices', 'toaster=1']), /toaster=1/)
  t.throws(() => parseOptions(['--telemetry-interval', 'often']), /not a duration/)
  t.throws(() => parseOptions(['--no-such-option']), /unknown option/)
})
