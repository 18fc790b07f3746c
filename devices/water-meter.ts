import { z } from 'zod'
import { type AlertRule, defineDevice, lowBattery } from './definition.js'

const events: Record<string, AlertRule> = {
  // a splash on the floor probe that dries within two minutes is no leak; state "clear" ends it
  leak: { action: 'open', alertType: 'leak', priority: 3, class: 'technical', holdDownSeconds: 120 },
  ...lowBattery,
}

export const waterMeter = defineDevice({
  type: 'water-meter',
  description: 'Smart water meter: water drawn is a common proxy for "someone is up" (活动监测)',
  heartbeatSeconds: 900,
  events,
  metrics: ['flow', 'total'],
  telemetryFields: {
    // litres per minute over the last interval, and the meter's running total in litres
    flow: z.number().min(0).max(500).optional(),
    total: z.number().min(0).optional(),
  },
  // a tap opened for a moment; a dripping tap stays under half a litre a minute
  activity: { telemetry: { flow: 0.5 } },
  simulator: {
    rssi: { mean: -85, jitter: 5 },
    batteryDrainPerDay: 0.01,
    telemetry: { flow: { mean: 1, jitter: 1 }, total: { mean: 12_000, jitter: 5 } },
    randomEvents: { leak: 1 },
  },
  samples: {
    events: [
      { id: 'w-1', ts: '2026-11-23T07:00:00.000Z', type: 'leak' },
      { id: 'w-2', ts: 1_795_000_000_000, type: 'low-battery' },
      { id: 'w-3', ts: '2026-11-23T07:01:00.000Z', type: 'leak', state: 'clear' },
    ],
    telemetry: [{ ts: '2026-11-23T07:00:00.000Z', battery: 95, rssi: -84, flow: 3.2, total: 12_034.5 }],
    invalid: [
      { id: 'w-1', ts: '2026-11-23T07:00:00.000Z', type: 'flow' },
      { id: 'w-1', ts: '2026-11-23T07:00:00.000Z', type: 'leak', state: 'wet' },
    ],
  },
})
