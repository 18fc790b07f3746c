import { z } from 'zod'
import { type AlertRule, defineDevice, deviceTime, lowBattery } from './definition.js'

const events: Record<string, AlertRule> = {
  sos: { action: 'open', alertType: 'sos', priority: 2, class: 'life-safety' },
  cancel: { action: 'cancel', alertType: 'sos' },
  ...lowBattery,
}

const button = z.enum(['pendant', 'wall', 'pull-cord'])
// A common vendor form: {"evt":"SOS","seq":123,"t":1700000000000,"key":2}; key 1 wall, 2 pendant, 3 pull-cord.
const vendor = z
  .object({
    evt: z.enum(['SOS', 'CANCEL', 'LOWBAT']),
    seq: z.number().int().min(0),
    t: deviceTime,
    key: z.union([z.literal(1), z.literal(2), z.literal(3)]).optional(),
  })
  .transform((v) => ({
    id: `v-${v.seq}`,
    ts: v.t,
    type: ({ SOS: 'sos', CANCEL: 'cancel', LOWBAT: 'low-battery' } as const)[v.evt],
    state: 'alarm' as const,
    ...(v.key ? { button: (['wall', 'pendant', 'pull-cord'] as const)[v.key - 1] } : {}),
  }))

export const callButton = defineDevice({
  type: 'call-button',
  description: 'One-key emergency call button (一键呼叫): pendant, wall button or pull cord',
  heartbeatSeconds: 3600,
  events,
  eventFields: { button: button.optional() },
  vendorEvent: vendor,
  simulator: {
    rssi: { mean: -72, jitter: 6 },
    batteryDrainPerDay: 0.05,
    telemetry: {},
    // most presses are real calls; a few are cancelled by the resident
    randomEvents: { sos: 10, cancel: 2 },
  },
  samples: {
    events: [
      { id: 'e-1', ts: '2026-11-23T07:00:00.000Z', type: 'sos', button: 'pendant' },
      { id: 'e-2', ts: 1_795_000_000_000, type: 'cancel' },
      { id: 'e-3', ts: '2026-11-23T07:00:00Z', type: 'low-battery' },
      { evt: 'SOS', seq: 7, t: 1_795_000_000_000, key: 2 },
    ],
    telemetry: [{ ts: '2026-11-23T07:00:00.000Z', battery: 87, rssi: -71 }],
    invalid: [
      { id: 'e-1', ts: '2026-11-23T07:00:00.000Z', type: 'smoke' },
      { id: '', ts: '2026-11-23T07:00:00.000Z', type: 'sos' },
      { evt: 'SOS', t: 1 },
    ],
  },
})
