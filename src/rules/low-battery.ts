import type { DeviceRule, Standing } from './rule.js'

// Low battery from the readings, with a hysteresis: at or under HUB_BATTERY_LOW percent opens a P3
// `low-battery` alert (the same type a device's own low-battery event opens, so the two fold together); only
// HUB_BATTERY_OK percent or more (a new battery) resolves it (`battery-replaced`). A battery wavering around
// one threshold with temperature opens one alert, not one a day; resolved by an operator while still low,
// it opens again only after a recharge.

export interface BatteryState extends Standing {
  /** low and not yet recharged (latched) */
  low: boolean
}

export const lowBattery: DeviceRule<BatteryState> = {
  name: 'low-battery',
  alert: { type: 'low-battery', priority: 3, class: 'technical' },
  scope: 'device',
  concerns: (o) => o.battery !== undefined,
  init: () => ({ open: false, alertedAt: 0, low: false }),

  observe(s, o, p) {
    const b = o.battery
    if (b === undefined) return null
    if (b <= p.batteryLow && !s.low) {
      s.low = true
      return s.open ? null : { do: 'open', data: { battery: b, threshold: p.batteryLow } }
    }
    if (b >= p.batteryOk) {
      s.low = false
      if (s.open) return { do: 'resolve', outcome: 'battery-replaced' }
    }
    return null
  },

  evaluate: () => null,
  // nothing to remember for a device whose battery is fine
  idle: (s) => !s.low && !s.open,
}
