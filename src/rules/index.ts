import { bedExitNight } from './bed-exit-night.js'
import { flapping } from './flapping.js'
import { holdDown } from './hold-down.js'
import { inactivity } from './inactivity.js'
import { lowBattery } from './low-battery.js'
import type { DeviceRule, ResidentRule, Rule, Standing } from './rule.js'
import { vitalRange } from './vital-range.js'

/** Every rule kind the engine evaluates. Adding one is one file and one line here. */
export const rules: readonly Rule[] = [inactivity, bedExitNight, vitalRange, lowBattery, flapping, holdDown]

export const residentRules = rules.filter((r): r is ResidentRule<Standing> => r.scope === 'resident')
export const deviceRules = rules.filter((r): r is DeviceRule<Standing> => r.scope === 'device')

/** alert types raised about a resident (no device); their unresolved alerts are unique per resident */
export const residentAlertTypes = residentRules.map((r) => r.alert.type)
