import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { parse as parseYaml } from 'yaml'
import { z } from 'zod'
import { deviceTypes } from '../../devices/index.js'
import { durationMs } from '../lib/duration.js'
import { malformedKinds } from '../payloads.js'
import { fleetSpecSchema } from './fleet.js'
import { SetupError } from './setup-error.js'

// Scenario files (YAML or JSON): a fleet, a timeline of steps, and the outcomes the run must show. A run
// whose outcomes differ exits non-zero, so a scenario file is also a test. simulators/scenarios/ has examples.

const place = z.union([z.string(), z.number()]).transform(String)

/** Which devices a step or an expectation is about; every field given must match. */
export const selectorSchema = z.strictObject({
  type: z.enum(deviceTypes).optional(),
  home: z.number().int().min(1).optional(),
  institution: z.number().int().min(1).optional(),
  resident: z.number().int().min(1).optional(),
  building: place.optional(),
  floor: place.optional(),
  zone: place.optional(),
  /** the devices an earlier step (by its `name`) acted on */
  step: z.string().optional(),
  /** leaving out the devices another step (by its `name`) acted on */
  except: z.string().optional(),
  /** the n-th match (1-based, in fleet order) */
  nth: z.number().int().min(1).optional(),
  /** this many matches, drawn at random (scaled by --scale) */
  count: z.number().int().min(1).optional(),
  /** this share of the matches, drawn at random */
  fraction: z.number().gt(0).max(1).optional(),
})
export type Selector = z.output<typeof selectorSchema>

const stepBase = {
  at: durationMs(),
  /** lets expectations and later steps refer to the devices this step picked */
  name: z.string().min(1).optional(),
  devices: selectorSchema,
}

export const stepSchema = z.discriminatedUnion('do', [
  z.strictObject({
    ...stepBase,
    do: z.literal('event'),
    event: z.string().min(1),
    state: z.enum(['alarm', 'clear']).optional(),
    /** fields over the definition's sample of this event type */
    fields: z.record(z.string(), z.unknown()).optional(),
    /** spread the devices' sends evenly over this long (a burst when short) */
    over: durationMs().default(0),
  }),
  z.strictObject({ ...stepBase, do: z.literal('power-loss') }),
  z.strictObject({ ...stepBase, do: z.literal('power-restore') }),
  z.strictObject({
    ...stepBase,
    do: z.literal('malformed'),
    count: z.number().int().min(1).max(100_000),
    over: durationMs().default(1_000),
    kinds: z
      .array(z.enum(malformedKinds))
      .min(1)
      .default([...malformedKinds]),
  }),
  z.strictObject({
    ...stepBase,
    do: z.literal('flap'),
    down: durationMs(),
    times: z.number().int().min(1).max(100).default(1),
    /** how long the link stays up between drops */
    up: durationMs().default(1_000),
  }),
  z.strictObject({ ...stepBase, do: z.literal('clock-skew'), offset: durationMs(true) }),
  z.strictObject({ ...stepBase, do: z.literal('battery'), level: z.number().min(0).max(100) }),
  z.strictObject({
    ...stepBase,
    do: z.literal('uitd'),
    /** fire: a panel component's fire alarm (unit 2); state: the UITD's own running state (unit 21);
     * drop / restore: cut and reopen its TCP link (frames sent meanwhile are repeated on restore) */
    action: z.enum(['fire', 'state', 'drop', 'restore']),
    /** the component address of a fire */
    component: z.number().int().min(0).max(0xffffffff).default(1001),
  }),
])
export type Step = z.output<typeof stepSchema>

const alertExpectation = z.strictObject({
  devices: selectorSchema,
  type: z.string().optional(),
  /** the selected devices have no such alert from this run */
  none: z.boolean().optional(),
  priority: z.number().int().min(1).max(4).optional(),
  state: z.enum(['open', 'acknowledged', 'resolved']).optional(),
  /** the alert's `count`: how many events it folded */
  count: z.number().int().min(1).optional(),
  /** history entry kinds the alert must show, e.g. [opened, cancelled] */
  history: z.array(z.string()).optional(),
  /** device time minus hub receive time, within 30 s (clock-skew scenarios) */
  eventSkew: durationMs(true).optional(),
})

const deviceExpectation = z.strictObject({
  devices: selectorSchema,
  online: z.boolean().optional(),
  rejectedAtLeast: z.number().int().min(0).optional(),
  batteryBelow: z.number().optional(),
})

export const expectationSchema = z.union([
  z.strictObject({ alerts: alertExpectation }),
  z.strictObject({ device: deviceExpectation }),
])
export type Expectation = z.output<typeof expectationSchema>

export const scenarioSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  fleet: fleetSpecSchema.partial().default({}),
  steps: z.array(stepSchema).min(1),
  expect: z.array(expectationSchema).default([]),
})
export type Scenario = z.output<typeof scenarioSchema>

export class ScenarioError extends SetupError {}

/** Reads and validates a scenario; a bad file names every problem at once. */
export async function loadScenario(file: string): Promise<Scenario> {
  const text = await readFile(file, 'utf8')
  let raw: unknown
  try {
    raw = path.extname(file) === '.json' ? JSON.parse(text) : parseYaml(text)
  } catch (err) {
    throw new ScenarioError(`${file}: ${(err as Error).message}`)
  }
  const parsed = scenarioSchema.safeParse(raw)
  if (!parsed.success) throw new ScenarioError(`${file}:\n${z.prettifyError(parsed.error)}`)
  const names = new Set<string>()
  const refs = (sel: Selector) => [sel.step, sel.except].filter((r) => r !== undefined)
  for (const step of parsed.data.steps) {
    for (const ref of refs(step.devices))
      if (!names.has(ref)) throw new ScenarioError(`${file}: step "${ref}" is used before it is named`)
    if (step.name) names.add(step.name)
  }
  for (const e of parsed.data.expect) {
    for (const ref of refs('alerts' in e ? e.alerts.devices : e.device.devices))
      if (!names.has(ref)) throw new ScenarioError(`${file}: no step is named "${ref}"`)
  }
  return parsed.data
}
