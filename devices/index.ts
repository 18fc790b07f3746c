import { bedSensor } from './bed-sensor.js'
import { callButton } from './call-button.js'
import type { DeviceDefinition } from './definition.js'
import { doorContact } from './door-contact.js'
import { fallSensor } from './fall-sensor.js'
import { motionSensor } from './motion-sensor.js'
import { smokeDetector } from './smoke-detector.js'
import { uitd } from './uitd.js'
import { waterMeter } from './water-meter.js'

export type {
  ActivitySignals,
  AlertRule,
  CanonicalEvent,
  CanonicalReading,
  DeviceDefinition,
  Priority,
  SimulatorProfile,
  TypicalValue,
} from './definition.js'
export { type AlertClass, alertClasses } from './definition.js'

/** Every device type the hub knows. Adding a type is one file and one line here. */
export const definitions: readonly DeviceDefinition[] = [
  fallSensor,
  callButton,
  smokeDetector,
  motionSensor,
  doorContact,
  bedSensor,
  waterMeter,
  uitd,
]

const byType = new Map(definitions.map((d) => [d.type, d]))

export function deviceDefinition(type: string): DeviceDefinition | undefined {
  return byType.get(type)
}

export const deviceTypes = definitions.map((d) => d.type) as [string, ...string[]]

export { COMMAND_RESULT, METRIC_SLOTS } from './definition.js'

/** Types that are fire-safety devices (detector view, fire-event log, registered to places). */
export const fireSafetyTypes = definitions.filter((d) => d.fireSafety).map((d) => d.type)

/** Every command some type takes. */
export const commandNames = [...new Set(definitions.flatMap((d) => d.commands ?? []))] as [
  string,
  ...string[],
]
