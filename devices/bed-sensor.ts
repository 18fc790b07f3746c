import { z } from 'zod'
import { type AlertRule, defineDevice, lowBattery } from './definition.js'

const bed = 'kept as the bed state for the night rules (src/rules/bed-exit-night.ts), not an alarm'
const events: Record<string, AlertRule> = {
  'in-bed': { action: 'ignore', why: bed },
  'out-of-bed': { action: 'ignore', why: bed },
  fault: { action: 'open', alertType: 'fault', priority: 3, class: 'technical' },
  ...lowBattery,
}

export const bedSensor = defineDevice({
  type: 'bed-sensor',
  description: 'Under-mattress bed sensor: presence, heart rate and respiration rate (离床 / 生命体征)',
  heartbeatSeconds: 300,
  events,
  metrics: ['presence', 'heartRate', 'respiration'],
  telemetryFields: {
    // 1 while someone lies on the bed; heart and respiration rates only while someone does
    presence: z.number().int().min(0).max(1).optional(),
    heartRate: z.number().min(0).max(250).optional(),
    respiration: z.number().min(0).max(80).optional(),
  },
  // getting into or out of bed is a sign of life
  activity: { events: ['in-bed', 'out-of-bed'] },
  simulator: {
    rssi: { mean: -65, jitter: 5 },
    batteryDrainPerDay: 0.2,
    telemetry: {
      presence: { mean: 1, jitter: 0, integer: true },
      heartRate: { mean: 68, jitter: 6 },
      respiration: { mean: 15, jitter: 2 },
    },
    randomEvents: { 'in-bed': 5, 'out-of-bed': 5, fault: 1 },
  },
  samples: {
    events: [
      { id: 'b-1', ts: '2026-11-23T22:00:00.000Z', type: 'in-bed' },
      { id: 'b-2', ts: '2026-11-24T02:10:00.000Z', type: 'out-of-bed' },
      { id: 'b-3', ts: 1_795_000_000_000, type: 'fault' },
      { id: 'b-4', ts: 1_795_000_000_000, type: 'low-battery' },
    ],
    telemetry: [
      { ts: '2026-11-23T23:00:00.000Z', presence: 1, heartRate: 64, respiration: 14, rssi: -66 },
      { ts: '2026-11-24T02:11:00.000Z', presence: 0, battery: 80 },
    ],
    invalid: [
      { id: 'b-1', ts: '2026-11-23T22:00:00.000Z', type: 'fall' },
      { id: '', ts: '2026-11-23T22:00:00.000Z', type: 'in-bed' },
    ],
  },
})
