import { windowDue } from './day-window.js'
import type { ResidentProfile, ResidentRule, Standing } from './rule.js'

// No sign of life from any of the resident's activity devices for N hours of the resident's day window
// (night hours do not count: someone asleep is not inactive) opens a P2 `inactivity` alert; the first sign of
// life after it resolves it with outcome `activity`. One alert per silence: an operator who resolves it
// while the resident is still silent is not asked again until the resident has moved and gone silent again.

const H = 3_600_000

/** N by GB/T 42195 ability level (0 intact … 4 completely disabled), shorter for those living alone. */
export const inactiveAfterDefaults = {
  alone: [12 * H, 8 * H, 6 * H, 4 * H, 4 * H],
  withOthers: [16 * H, 12 * H, 8 * H, 6 * H, 6 * H],
} as const

export function inactiveAfter(r: ResidentProfile): number {
  if (r.inactiveAfterMs !== null) return r.inactiveAfterMs
  const level = Math.min(4, Math.max(0, r.abilityLevel))
  return (r.livesAlone ? inactiveAfterDefaults.alone : inactiveAfterDefaults.withOthers)[level]!
}

export interface InactivityState extends Standing {
  /** the latest sign of life (or when watching began), epoch ms */
  last: number
  /** when the silence since `last` reaches N of window time; NaN until computed */
  due: number
}

export const inactivity: ResidentRule<InactivityState> = {
  name: 'inactivity',
  alert: { type: 'inactivity', priority: 2, class: 'life-safety' },
  scope: 'resident',
  applies: (r) => r.activityDevices > 0,
  init: (_r, now, saved) => ({ open: false, alertedAt: 0, last: saved.lastActivity ?? now, due: Number.NaN }),

  observe(s, o) {
    if (!o.activity || o.at <= s.last) return null
    s.last = o.at
    s.due = Number.NaN
    return s.open ? { do: 'resolve', outcome: 'activity' } : null
  },

  evaluate(s, now, r) {
    if (s.open || s.alertedAt >= s.last) return null
    const need = inactiveAfter(r)
    // window time never runs faster than the clock: no need to find the window's edges before then
    if (now < s.last + need) return null
    if (Number.isNaN(s.due)) s.due = windowDue(r.day, s.last, need)
    if (now < s.due) return null
    return {
      do: 'open',
      data: { lastActivity: new Date(s.last).toISOString(), inactiveAfterMinutes: Math.round(need / 60_000) },
    }
  },

  save: (s) => ({ lastActivity: s.last }),
}
