import { z } from 'zod'

// What a device type is, as data. Each file beside this one exports one DeviceDefinition; nothing outside
// devices/ names a device type.

export type Priority = 1 | 2 | 3 | 4

/**
 * What an alert is for, which decides its default escalation chain (never its type's name): `life-safety`
 * (a person may be hurt: SOS, fall), `fire` (forwarded to the fire-monitoring centre as well) or `technical`
 * (the equipment needs attention: battery, fault, offline). A new life-safety device type is one file here
 * and reaches people as fast as an SOS.
 */
export const alertClasses = ['life-safety', 'fire', 'technical'] as const
export type AlertClass = (typeof alertClasses)[number]

/** What an event type does to alerts. */
export type AlertRule =
  /** open an alert of `alertType` (or fold into the device's open one); with state "clear", record a clear */
  | {
      action: 'open'
      alertType: string
      priority: Priority
      class: AlertClass
      /** hold-down: open only if the alarm lasts this long (no clear within it); the rules engine opens it */
      holdDownSeconds?: number
    }
  /** the resident cancelled: recorded on the device's open alert of `alertType`, which an operator still closes */
  | { action: 'cancel'; alertType: string }
  /** the device reports the condition gone: recorded on its open alert of `alertType` */
  | { action: 'clear'; alertType: string }
  /** stored as an event, no alert */
  | { action: 'ignore'; why: string }

export interface CanonicalEvent {
  id: string
  ts: Date
  type: string
  state: 'alarm' | 'clear'
  /** type-specific extra fields, as validated */
  fields: Record<string, unknown>
}

export interface CanonicalReading {
  ts: Date
  battery?: number
  rssi?: number
  /** type-specific numbers */
  values: Record<string, number>
}

export interface DeviceDefinition {
  type: string
  description: string
  /** how often the device reports when idle; offline after twice that without a message */
  heartbeatSeconds: number
  /** every event type the device may send, with its alert rule */
  events: Readonly<Record<string, AlertRule>>
  decodeEvent(raw: unknown): CanonicalEvent
  decodeTelemetry(raw: unknown): CanonicalReading
  /** payloads the definition must accept (canonical and vendor forms) and must refuse */
  samples: { events: unknown[]; telemetry: unknown[]; invalid: unknown[] }
  /** how the simulators make a device of this type behave */
  simulator: SimulatorProfile
  /**
   * Telemetry numbers stored in typed columns (`m1` … `m4`, in this order) and averaged per bucket; the
   * type's other numbers go to the reading's `data` (jsonb). Append only: a slot keeps its meaning in history.
   */
  metrics?: readonly string[]
  /** commands the hub may send on the device's commands topic (none: the type takes no commands) */
  commands?: readonly string[]
  /**
   * A fire-safety device: named to a place of an institution's topology, listed in the site's detector view
   * and fire-event log. Its priority-1 alerts mean alarm; `faultAlerts` are the alert types that mean fault.
   */
  fireSafety?: { faultAlerts: readonly string[] }
  /**
   * What counts as a sign of life for the device's resident (activity monitoring, src/rules/): these event
   * types, and a reading whose named number reaches its threshold (`{ motion: 1 }`).
   */
  activity?: ActivitySignals
}

export interface ActivitySignals {
  events?: readonly string[]
  telemetry?: Readonly<Record<string, number>>
}

/** A typical value and how far it wanders from one report to the next (a uniform jitter of ± `jitter`). */
export interface TypicalValue {
  mean: number
  jitter: number
  integer?: boolean
}

/**
 * What a simulated device of a type sends: its typical telemetry numbers (beside battery and rssi), how fast
 * its battery drains, and how often each event type happens in an ordinary home. Event payloads themselves
 * come from the definition's canonical samples, so there is no second copy of their shape.
 */
export interface SimulatorProfile {
  rssi: TypicalValue
  /** battery percent used per day of operation */
  batteryDrainPerDay: number
  /** type-specific telemetry numbers; every key must be a telemetry field of the definition */
  telemetry: Record<string, TypicalValue>
  /** relative weights of the event types a random run draws (types not named are never drawn) */
  randomEvents: Record<string, number>
}

/** Device time: ISO-8601 or epoch milliseconds (CONTRACT.md). */
export const deviceTime = z.union([
  z.iso.datetime({ offset: true }).transform((s) => new Date(s)),
  z
    .number()
    .int()
    .min(0)
    .max(8_640_000_000_000_000)
    .transform((n) => new Date(n)),
])

/** Any device may report a low battery (CONTRACT.md). */
export const lowBattery: Record<string, AlertRule> = {
  'low-battery': { action: 'open', alertType: 'low-battery', priority: 3, class: 'technical' },
}

/**
 * The event a device sends when it has carried out a command: `{ type: "command-result", command: <command
 * id>, ok, detail? }`. The hub records it on the command; it opens no alert.
 */
export const COMMAND_RESULT = 'command-result'

export const commandResult: Record<string, AlertRule> = {
  [COMMAND_RESULT]: { action: 'ignore', why: 'recorded on the command it answers, not raised as an alert' },
}

/** command-result's fields (optional in the schema, as event fields are shared by every event type) */
export const commandResultFields = {
  command: z.string().min(1).max(64).optional(),
  ok: z.boolean().optional(),
  detail: z.string().max(500).optional(),
}

type Shape = Record<string, z.ZodType>

/** The canonical event payload for a definition's event types, plus its extra fields. */
export function eventSchema(events: Readonly<Record<string, AlertRule>>, extra: Shape) {
  const types = Object.keys(events) as [string, ...string[]]
  return z.object({
    id: z.string().min(1).max(64),
    ts: deviceTime,
    type: z.enum(types),
    state: z.enum(['alarm', 'clear']).default('alarm'),
    ...extra,
  })
}

export const telemetryBase = {
  ts: deviceTime,
  battery: z.number().min(0).max(100).optional(),
  rssi: z.number().min(-150).max(0).optional(),
}

/** Splits a validated canonical event into the common part and its type-specific fields. */
export function toCanonicalEvent(e: {
  id: string
  ts: Date
  type: string
  state: 'alarm' | 'clear'
  [k: string]: unknown
}): CanonicalEvent {
  const { id, ts, type, state, ...fields } = e
  return { id, ts, type, state, fields }
}

/** Splits a validated telemetry payload into battery, rssi and the type-specific numbers. */
export function toCanonicalReading(t: { ts: Date; battery?: number; rssi?: number; [k: string]: unknown }) {
  const { ts, battery, rssi, ...rest } = t
  const values: Record<string, number> = {}
  for (const [k, v] of Object.entries(rest)) if (typeof v === 'number') values[k] = v
  return { ts, battery, rssi, values } satisfies CanonicalReading
}

export interface DeviceSpec extends Omit<DeviceDefinition, 'decodeEvent' | 'decodeTelemetry'> {
  /** type-specific event fields beside id, ts, type and state */
  eventFields?: Shape
  /** type-specific telemetry numbers beside ts, battery and rssi */
  telemetryFields?: Shape
  /** the vendor's own event form, transformed into the canonical one (tried after it) */
  vendorEvent?: z.ZodType<Parameters<typeof toCanonicalEvent>[0]>
}

/** Typed metric columns per reading (m1 … m4) beside battery and rssi. */
export const METRIC_SLOTS = 4

/** Builds a definition's decoders from its schemas: each device file states only what is its own. */
export function defineDevice({
  eventFields = {},
  telemetryFields = {},
  vendorEvent,
  ...spec
}: DeviceSpec): DeviceDefinition {
  const metrics = spec.metrics ?? []
  const unknown = metrics.filter((m) => !(m in telemetryFields))
  if (unknown.length || metrics.length > METRIC_SLOTS || new Set(metrics).size < metrics.length)
    throw new Error(`${spec.type}: metrics must be at most ${METRIC_SLOTS} distinct telemetry fields`)
  const canonical = eventSchema(spec.events, eventFields)
  const event = vendorEvent ? z.union([canonical, vendorEvent]) : canonical
  const telemetry = z.object({ ...telemetryBase, ...telemetryFields })
  return {
    ...spec,
    decodeEvent: (raw) => toCanonicalEvent(event.parse(raw)),
    decodeTelemetry: (raw) => toCanonicalReading(telemetry.parse(raw)),
  }
}
