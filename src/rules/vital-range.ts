import type { ResidentRule, Standing } from './rule.js'

// A heart or respiration rate outside its range in every reading for K minutes, while someone lies on the
// bed, opens a P2 `vital-sign` alert. One reading in range ends the streak; the alert stays for an operator
// (a rate back in range does not mean the person is well), and a new streak while it is open folds into it.

export const VITAL_AFTER_MS = 5 * 60_000

/** per minute, adults at rest; the field names are the bed sensor's telemetry numbers */
export const vitalRanges: Readonly<Record<string, readonly [number, number]>> = {
  heartRate: [40, 130],
  respiration: [8, 30],
}

export interface VitalState extends Standing {
  /** per vital sign: since when it is out of range (0: in range) and its latest value */
  since: Record<string, number>
  value: Record<string, number>
}

export const vitalRange: ResidentRule<VitalState> = {
  name: 'vital-range',
  alert: { type: 'vital-sign', priority: 2, class: 'life-safety' },
  scope: 'resident',
  applies: (r) => r.bedDevices > 0,
  init: () => ({ open: false, alertedAt: 0, since: {}, value: {} }),

  observe(s, o) {
    const empty = o.eventType === 'out-of-bed' || o.values?.presence === 0
    for (const [sign, [min, max]] of Object.entries(vitalRanges)) {
      const v = o.values?.[sign]
      if (empty) s.since[sign] = 0
      if (empty || v === undefined) continue
      s.value[sign] = v
      if (v >= min && v <= max) s.since[sign] = 0
      else s.since[sign] ||= o.at
    }
    return null
  },

  evaluate(s, now) {
    for (const [sign, since] of Object.entries(s.since)) {
      // one alert (or one repeat) per streak
      if (!since || since <= s.alertedAt || now - since < VITAL_AFTER_MS) continue
      s.alertedAt = now
      const [min, max] = vitalRanges[sign]!
      return {
        do: 'open',
        data: { sign, value: s.value[sign], min, max, since: new Date(since).toISOString() },
      }
    }
    return null
  },
}
