import { z } from 'zod'
import { type AlertRule, defineDevice, deviceTime, lowBattery } from './definition.js'
import { bitsSet, operationBits, stateBits, uitdStateBits } from './gbt26875-bits.js'

// A user information transmission device (UITD, 用户信息传输装置) and the fire panels behind it, speaking
// GB/T 26875.3 to the hub (src/uitd/). The receiver hands each information object of a frame here as
// `{ id, ts, unit, …the object's fields }` (ts already read in the site's time zone); what its state bits mean
// — fire, fault, or an ordinary report — is decided here, as any vendor decoder does.

const events: Record<string, AlertRule> = {
  fire: { action: 'open', alertType: 'fire', priority: 1, class: 'fire' },
  fault: { action: 'open', alertType: 'fault', priority: 3, class: 'technical' },
  // opened by the hub when no frame came for the UITD's linkTimeoutS; its state "clear" is the link's return
  'link-loss': { action: 'open', alertType: 'link-loss', priority: 3, class: 'technical' },
  status: { action: 'ignore', why: 'a state report without fire or fault is logged, not raised' },
  operation: {
    action: 'ignore',
    why: "an operator's action at the panel (reset, silence, self-test) is logged",
  },
  ...lowBattery,
}

const faultBits = new Set([
  'fault',
  'main-power-fault',
  'backup-power-fault',
  'bus-fault',
  'line-fault',
  'centre-link-fault',
])

const location = z
  .object({
    building: z.string().max(200).optional(),
    floor: z.string().max(200).optional(),
    zone: z.string().max(200).optional(),
    room: z.string().max(200).optional(),
  })
  .optional()

const base = {
  id: z.string().min(1).max(64),
  ts: deviceTime,
  systemType: z.number().int().min(0).max(255).optional(),
  systemAddress: z.number().int().min(0).max(255).optional(),
  componentType: z.number().int().min(0).max(255).optional(),
  componentAddress: z.number().int().min(0).max(0xffffffff).optional(),
  description: z.string().max(200).optional(),
  location,
}

const stateUnit = z
  .object({
    ...base,
    unit: z.enum(['system-state', 'component-state', 'uitd-state']),
    state: z.number().int().min(0).max(0xffff),
  })
  .transform(({ unit, state, ...rest }) => {
    const flags = bitsSet(unit === 'uitd-state' ? uitdStateBits : stateBits, state)
    const type = flags.includes('fire') ? 'fire' : flags.some((f) => faultBits.has(f)) ? 'fault' : 'status'
    return { ...rest, type, state: 'alarm' as const, unit, flags }
  })

const operationUnit = z
  .object({
    ...base,
    unit: z.enum(['system-operation', 'uitd-operation']),
    operation: z.number().int().min(0).max(255),
    operator: z.number().int().min(0).max(255),
  })
  .transform(({ operation, ...rest }) => ({
    ...rest,
    type: 'operation',
    state: 'alarm' as const,
    flags: bitsSet(operationBits, operation),
  }))

const otherUnit = z
  .object({
    ...base,
    unit: z.enum([
      'component-analog',
      'system-software',
      'system-config',
      'component-config',
      'system-time',
      'uitd-software',
      'uitd-config',
      'uitd-time',
    ]),
    analogType: z.number().int().min(0).max(255).optional(),
    value: z.number().int().optional(),
  })
  .transform((o) => ({ ...o, type: 'status', state: 'alarm' as const }))

const ts = '2026-12-02T08:00:00.000Z'

export const uitd = defineDevice({
  type: 'uitd',
  description:
    'Fire alarm control panels behind a user information transmission device (GB/T 26875.3, 用户信息传输装置)',
  // the receiver supervises each UITD's link with its own linkTimeoutS (≤ 2 h); this is only the backstop
  heartbeatSeconds: 86_400,
  events,
  fireSafety: { faultAlerts: ['fault', 'link-loss'] },
  eventFields: {
    unit: z.string().max(40).optional(),
    flags: z.array(z.string().max(40)).max(16).optional(),
    location,
  },
  vendorEvent: z.union([stateUnit, operationUnit, otherUnit]),
  simulator: {
    rssi: { mean: -60, jitter: 4 },
    batteryDrainPerDay: 0.01,
    telemetry: {},
    randomEvents: { status: 20, operation: 2, fault: 1, fire: 1 },
  },
  samples: {
    events: [
      {
        id: '7.0',
        ts,
        unit: 'component-state',
        systemType: 1,
        systemAddress: 1,
        componentType: 40,
        componentAddress: 1003,
        state: 0b11,
        description: '三楼烟感',
      },
      { id: '8.0', ts, unit: 'system-state', systemType: 1, systemAddress: 1, state: 0b101 },
      { id: '9.0', ts, unit: 'uitd-state', state: 1 },
      {
        id: '10.0',
        ts,
        unit: 'system-operation',
        systemType: 1,
        systemAddress: 1,
        operation: 0b10,
        operator: 3,
      },
      {
        id: '11.0',
        ts,
        unit: 'component-analog',
        systemType: 1,
        systemAddress: 1,
        componentType: 40,
        componentAddress: 1003,
        analogType: 3,
        value: 215,
      },
      { id: 'c-1', ts, type: 'fire', unit: 'component-state', flags: ['normal', 'fire'] },
      { id: 'c-2', ts, type: 'fault', unit: 'system-state', flags: ['main-power-fault'] },
      { id: 'c-3', ts, type: 'status', unit: 'uitd-state', flags: ['normal'] },
      { id: 'c-4', ts, type: 'operation', unit: 'system-operation', flags: ['silence'] },
      { id: 'link-loss.1', ts, type: 'link-loss', state: 'alarm' },
      { id: 'b-1', ts, type: 'low-battery' },
    ],
    telemetry: [{ ts, rssi: -60, battery: 100 }],
    invalid: [
      { id: '7.0', ts, unit: 'component-state', state: 'fire' },
      { id: '7.1', ts, unit: 'no-such-unit', state: 1 },
      { id: '7.2', ts: '02/12/2026', unit: 'uitd-state', state: 1 },
    ],
  },
})
