import { type AlertRule, defineDevice, lowBattery } from './definition.js'

const activity = 'a sign of life for activity monitoring (src/rules/), not an alarm'
const events: Record<string, AlertRule> = {
  open: { action: 'ignore', why: activity },
  close: { action: 'ignore', why: activity },
  tamper: { action: 'open', alertType: 'tamper', priority: 3, class: 'technical' },
  ...lowBattery,
}

export const doorContact = defineDevice({
  type: 'door-contact',
  description: 'Magnetic door contact (front door, fridge, bathroom) for activity monitoring (活动监测)',
  heartbeatSeconds: 3600,
  events,
  activity: { events: ['open', 'close'] },
  simulator: {
    rssi: { mean: -74, jitter: 6 },
    batteryDrainPerDay: 0.02,
    telemetry: {},
    randomEvents: { open: 20, close: 20, tamper: 1 },
  },
  samples: {
    events: [
      { id: 'd-1', ts: '2026-11-23T07:00:00.000Z', type: 'open' },
      { id: 'd-2', ts: '2026-11-23T07:00:05.000Z', type: 'close' },
      { id: 'd-3', ts: 1_795_000_000_000, type: 'tamper' },
      { id: 'd-4', ts: 1_795_000_000_000, type: 'low-battery' },
    ],
    telemetry: [{ ts: '2026-11-23T07:00:00.000Z', battery: 77, rssi: -75 }],
    invalid: [
      { id: 'd-1', ts: '2026-11-23T07:00:00.000Z', type: 'motion' },
      { id: 'd-1', ts: '2026-11-23T07:00:00.000Z', type: 'open', state: 'ajar' },
    ],
  },
})
