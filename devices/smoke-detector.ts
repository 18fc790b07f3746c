import { z } from 'zod'
import { type AlertRule, commandResult, commandResultFields, defineDevice, lowBattery } from './definition.js'

const events: Record<string, AlertRule> = {
  // state "clear" on smoke records that the detector no longer senses smoke
  smoke: { action: 'open', alertType: 'smoke', priority: 1, class: 'fire' },
  fault: { action: 'open', alertType: 'fault', priority: 3, class: 'technical' },
  tamper: { action: 'open', alertType: 'tamper', priority: 3, class: 'technical' },
  test: { action: 'ignore', why: 'a self-test press is logged as an event, not raised as an alert' },
  ...lowBattery,
  ...commandResult,
}

export const smokeDetector = defineDevice({
  type: 'smoke-detector',
  description: 'Networked smoke detector for fire-safety monitoring (消防物联网)',
  heartbeatSeconds: 3600,
  events,
  commands: ['silence', 'self-test'],
  fireSafety: { faultAlerts: ['fault', 'tamper'] },
  eventFields: { obscuration: z.number().min(0).max(100).optional(), ...commandResultFields },
  metrics: ['obscuration', 'temperature'],
  telemetryFields: {
    obscuration: z.number().min(0).max(100).optional(),
    temperature: z.number().min(-40).max(125).optional(),
  },
  simulator: {
    rssi: { mean: -80, jitter: 6 },
    batteryDrainPerDay: 0.02,
    telemetry: { obscuration: { mean: 0.3, jitter: 0.3 }, temperature: { mean: 22, jitter: 2 } },
    // alarms are rare next to the weekly self-test
    randomEvents: { smoke: 1, test: 4, fault: 1 },
  },
  samples: {
    events: [
      { id: 's-1', ts: '2026-11-23T07:00:00.000Z', type: 'smoke', state: 'alarm', obscuration: 12.5 },
      { id: 's-2', ts: '2026-11-23T07:05:00.000Z', type: 'smoke', state: 'clear' },
      { id: 's-3', ts: 1_795_000_000_000, type: 'fault' },
      { id: 's-4', ts: 1_795_000_000_000, type: 'tamper' },
      { id: 's-5', ts: 1_795_000_000_000, type: 'test' },
      { id: 's-6', ts: 1_795_000_000_000, type: 'low-battery' },
      { id: 's-7', ts: 1_795_000_000_000, type: 'command-result', command: 'cmd_1', ok: true },
    ],
    telemetry: [
      { ts: '2026-11-23T07:00:00.000Z', battery: 93, rssi: -80, obscuration: 0.4, temperature: 21.5 },
    ],
    invalid: [
      { id: 's-1', ts: '2026-11-23T07:00:00.000Z', type: 'smoke', state: 'burning' },
      { id: 's-1', ts: '2026-11-23T07:00:00.000Z', type: 'sos' },
      { id: 's-8', ts: 1_795_000_000_000, type: 'command-result', command: 'cmd_1', ok: 'yes' },
    ],
  },
})
