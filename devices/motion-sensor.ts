import { z } from 'zod'
import { type AlertRule, defineDevice, lowBattery } from './definition.js'

const events: Record<string, AlertRule> = {
  motion: { action: 'ignore', why: 'a sign of life for activity monitoring (src/rules/), not an alarm' },
  tamper: { action: 'open', alertType: 'tamper', priority: 3, class: 'technical' },
  ...lowBattery,
}

export const motionSensor = defineDevice({
  type: 'motion-sensor',
  description: 'PIR motion sensor in a room, for activity monitoring (活动监测) of people living alone',
  heartbeatSeconds: 3600,
  events,
  // motion: 1 while the sensor sees someone move (reported per interval), 0 when the room was still
  metrics: ['motion'],
  telemetryFields: { motion: z.number().int().min(0).max(1).optional() },
  activity: { events: ['motion'], telemetry: { motion: 1 } },
  simulator: {
    rssi: { mean: -70, jitter: 6 },
    batteryDrainPerDay: 0.03,
    telemetry: { motion: { mean: 0.5, jitter: 0.5, integer: true } },
    randomEvents: { motion: 50, tamper: 1 },
  },
  samples: {
    events: [
      { id: 'm-1', ts: '2026-11-23T07:00:00.000Z', type: 'motion' },
      { id: 'm-2', ts: 1_795_000_000_000, type: 'tamper' },
      { id: 'm-3', ts: 1_795_000_000_000, type: 'low-battery' },
    ],
    telemetry: [{ ts: '2026-11-23T07:00:00.000Z', battery: 90, rssi: -70, motion: 1 }],
    invalid: [
      { id: 'm-1', ts: '2026-11-23T07:00:00.000Z', type: 'open' },
      { id: 'm-1', ts: 'soon', type: 'motion' },
    ],
  },
})
