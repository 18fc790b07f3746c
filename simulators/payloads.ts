import type { DeviceDefinition, TypicalValue } from '../devices/index.js'
import type { Random } from './lib/random.js'

// Payloads built from the device definitions in devices/: an event is its type's canonical sample with a
// fresh id and time, telemetry follows the type's simulator profile, and malformed payloads start from the
// definition's own `invalid` samples. No payload shape is written down twice.

type Payload = Record<string, unknown>

/** The first canonical sample (one with `id` and `type`) of an event type. */
export function eventSample(def: DeviceDefinition, type: string): Payload {
  const sample = def.samples.events.find(
    (s): s is Payload => typeof s === 'object' && s !== null && 'id' in s && (s as Payload).type === type,
  )
  if (!sample) throw new Error(`${def.type} has no canonical sample of event "${type}"`)
  return sample
}

/** A canonical event of `type`: the sample's extra fields, overridden by `fields`. */
export function eventPayload(
  def: DeviceDefinition,
  type: string,
  id: string,
  ts: number,
  fields: Payload = {},
): Payload {
  const { id: _id, ts: _ts, ...rest } = eventSample(def, type)
  return { ...rest, ...fields, id, ts: new Date(ts).toISOString(), type }
}

function typical(v: TypicalValue, rng: Random): number {
  const x = rng.around(v.mean, v.jitter)
  return v.integer ? Math.max(0, Math.round(x)) : Math.round(x * 100) / 100
}

/** One telemetry reading: battery as given, rssi and the type's own numbers around their typical values. */
export function telemetryPayload(def: DeviceDefinition, battery: number, ts: number, rng: Random): Payload {
  const profile = def.simulator
  const values = Object.fromEntries(Object.entries(profile.telemetry).map(([k, v]) => [k, typical(v, rng)]))
  const rssi = Math.min(0, Math.round(typical(profile.rssi, rng)))
  return { ts, battery: Math.max(0, Math.round(battery * 10) / 10), rssi, ...values }
}

export const malformedKinds = ['not-json', 'schema', 'unknown-type', 'too-large'] as const
export type MalformedKind = (typeof malformedKinds)[number]

/** A payload the hub must refuse for reason `kind` (its names in hub_ingest_rejected_total). */
export function malformedPayload(def: DeviceDefinition, kind: MalformedKind, n: number): string {
  switch (kind) {
    case 'not-json':
      return `{"id":"m-${n}","ts":`
    case 'schema':
      return JSON.stringify(def.samples.invalid[n % def.samples.invalid.length])
    case 'unknown-type':
      return JSON.stringify({ id: `m-${n}`, ts: Date.now(), type: 'no-such-event' })
    case 'too-large':
      return JSON.stringify({ id: `m-${n}`, ts: Date.now(), type: 'test', pad: 'x'.repeat(5000) })
  }
}
