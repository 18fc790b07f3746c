import { z } from 'zod'
import { type AlertRule, defineDevice, lowBattery } from './definition.js'

const events: Record<string, AlertRule> = {
  fall: { action: 'open', alertType: 'fall', priority: 2, class: 'life-safety' },
  'fall-cleared': { action: 'clear', alertType: 'fall' },
  // the resident left the sensor's field (e.g. the bed at night): a care concern, not an emergency
  'presence-lost': { action: 'open', alertType: 'presence-lost', priority: 3, class: 'technical' },
  ...lowBattery,
}

export const fallSensor = defineDevice({
  type: 'fall-sensor',
  description: 'Fall and presence sensor (mm-wave radar or wearable) for activity monitoring (活动监测)',
  heartbeatSeconds: 60,
  events,
  eventFields: {
    confidence: z.number().min(0).max(1).optional(),
    posture: z.enum(['lying', 'sitting', 'standing', 'unknown']).optional(),
  },
  metrics: ['occupancy', 'respiration'],
  telemetryFields: {
    // people in the field of view and breathing rate, for the mm-wave radar kind
    occupancy: z.number().int().min(0).max(10).optional(),
    respiration: z.number().min(0).max(80).optional(),
  },
  simulator: {
    rssi: { mean: -62, jitter: 5 },
    batteryDrainPerDay: 0.3,
    telemetry: { occupancy: { mean: 1, jitter: 1, integer: true }, respiration: { mean: 16, jitter: 3 } },
    randomEvents: { fall: 5, 'fall-cleared': 3, 'presence-lost': 2 },
  },
  samples: {
    events: [
      { id: 'f-1', ts: '2026-11-23T07:00:00.000Z', type: 'fall', confidence: 0.93, posture: 'lying' },
      { id: 'f-2', ts: '2026-11-23T07:01:00.000Z', type: 'fall-cleared' },
      { id: 'f-3', ts: 1_795_000_000_000, type: 'presence-lost', state: 'alarm' },
      { id: 'f-4', ts: 1_795_000_000_000, type: 'low-battery' },
    ],
    telemetry: [
      { ts: '2026-11-23T07:00:00.000Z', rssi: -60, occupancy: 1, respiration: 16 },
      { ts: 1_795_000_000_000, battery: 55 },
    ],
    invalid: [
      { id: 'f-1', ts: '2026-11-23T07:00:00.000Z', type: 'fall', confidence: 3 },
      { id: 'f-1', ts: 'yesterday', type: 'fall' },
    ],
  },
})
