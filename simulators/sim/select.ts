import { deviceDefinition } from '../../devices/index.js'
import type { Random } from '../lib/random.js'
import type { FleetDevice, FleetSpec } from './fleet.js'
import { type Expectation, type Scenario, ScenarioError, type Selector, type Step } from './scenario.js'

// Selectors → devices, for every step and expectation of a scenario, decided once before the run from the
// seeded random source: the same seed and fleet pick the same devices.

/** A count scaled by --scale: never below 1 when it was at least 1. */
export const scaled = (n: number, scale: number) => (n > 0 ? Math.max(1, Math.round(n * scale)) : 0)

/** The fleet spec of a scenario at --scale: homes and institutions scale; what each holds does not. */
export function scaleSpec(spec: FleetSpec, scale: number): FleetSpec {
  return { ...spec, homes: scaled(spec.homes, scale), institutions: scaled(spec.institutions, scale) }
}

function describe(sel: Selector) {
  return JSON.stringify(sel)
}

export function selectDevices(
  sel: Selector,
  fleet: readonly FleetDevice[],
  rng: Random,
  picks: ReadonlyMap<string, FleetDevice[]>,
  scale: number,
): FleetDevice[] {
  const p = (d: FleetDevice) => d.place
  let pool: readonly FleetDevice[] = (sel.step ? picks.get(sel.step) : fleet) ?? []
  const excluded = new Set((sel.except ? picks.get(sel.except) : undefined)?.map((d) => d.id))
  pool = pool.filter(
    (d) =>
      !excluded.has(d.id) &&
      (sel.type === undefined || d.type === sel.type) &&
      (sel.home === undefined || p(d).home === sel.home) &&
      (sel.institution === undefined || p(d).institution === sel.institution) &&
      (sel.resident === undefined || p(d).resident === sel.resident) &&
      (sel.building === undefined || p(d).building === sel.building) &&
      (sel.floor === undefined || p(d).floor === sel.floor) &&
      (sel.zone === undefined || p(d).zone === sel.zone),
  )
  if (sel.nth !== undefined) pool = pool.slice(sel.nth - 1, sel.nth)
  if (sel.count !== undefined) {
    const n = scaled(sel.count, scale)
    if (n > pool.length) {
      throw new ScenarioError(
        `${describe(sel)} asks for ${n} devices; the fleet has ${pool.length} that match`,
      )
    }
    pool = rng.sample(pool, n)
  }
  if (sel.fraction !== undefined) pool = rng.sample(pool, Math.max(1, Math.round(sel.fraction * pool.length)))
  if (pool.length === 0) throw new ScenarioError(`${describe(sel)} matches no device of the fleet`)
  return [...pool]
}

export interface Plan {
  steps: { step: Step; devices: FleetDevice[] }[]
  expect: { expectation: Expectation; devices: FleetDevice[] }[]
}

export function planScenario(
  scenario: Scenario,
  fleet: readonly FleetDevice[],
  rng: Random,
  scale: number,
): Plan {
  const picks = new Map<string, FleetDevice[]>()
  const steps = scenario.steps.map((step) => {
    const devices = selectDevices(step.devices, fleet, rng, picks, scale)
    const unable =
      step.do === 'event' && devices.find((d) => !(step.event in deviceDefinition(d.type)!.events))
    if (unable)
      throw new ScenarioError(
        `a ${unable.type} does not send "${(step as { event: string }).event}" (${unable.key})`,
      )
    const notUitd = step.do === 'uitd' && devices.find((d) => d.link !== 'uitd')
    if (notUitd) throw new ScenarioError(`a uitd step selected ${notUitd.key}, which is not a UITD`)
    if (step.name) picks.set(step.name, devices)
    return { step, devices }
  })
  const expect = scenario.expect.map((expectation) => {
    const sel = 'alerts' in expectation ? expectation.alerts.devices : expectation.device.devices
    return { expectation, devices: selectDevices(sel, fleet, rng, picks, scale) }
  })
  return { steps, expect }
}
