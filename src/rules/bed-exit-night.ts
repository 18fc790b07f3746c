import { type DayWindow, nightOf, windowDue } from './day-window.js'
import type { ResidentProfile, ResidentRule, Standing } from './rule.js'

// Out of bed at night for longer than M minutes (a fall on the way to the bathroom is the worry) opens a P2
// `bed-exit` alert; getting back into bed resolves it (`back-in-bed`). Night is the resident's day window's
// complement (22:00–07:00 by default); only night minutes count, so getting up at 06:50 is morning, not an
// alarm at 07:20.

export const BED_EXIT_AFTER_MS = 30 * 60_000
/** the night for a resident watched all day */
const DEFAULT_NIGHT = { from: 22 * 60, to: 7 * 60 }

export function nightFor(r: ResidentProfile): DayWindow {
  const allDay = r.day.from === 0 && r.day.to === 1440
  return allDay ? { zone: r.day.zone, ...DEFAULT_NIGHT } : nightOf(r.day)
}

export interface BedState extends Standing {
  /** when the resident left the bed (0: in bed or not known) */
  outSince: number
  due: number
}

const presence = (o: { eventType?: string; values?: Readonly<Record<string, number>> }) => {
  if (o.eventType === 'out-of-bed') return 0
  if (o.eventType === 'in-bed') return 1
  return o.values?.presence
}

export const bedExitNight: ResidentRule<BedState> = {
  name: 'bed-exit-night',
  alert: { type: 'bed-exit', priority: 2, class: 'life-safety' },
  scope: 'resident',
  applies: (r) => r.bedDevices > 0,
  init: (_r, _now, saved) => ({
    open: false,
    alertedAt: 0,
    outSince: saved.outOfBedSince ?? 0,
    due: Number.NaN,
  }),

  observe(s, o) {
    const p = presence(o)
    if (p === 0 && s.outSince === 0) {
      s.outSince = o.at
      s.due = Number.NaN
    } else if (p === 1) {
      s.outSince = 0
      if (s.open) return { do: 'resolve', outcome: 'back-in-bed' }
    }
    return null
  },

  evaluate(s, now, r) {
    if (s.outSince === 0 || s.open || s.alertedAt >= s.outSince) return null
    if (now < s.outSince + BED_EXIT_AFTER_MS) return null
    if (Number.isNaN(s.due)) s.due = windowDue(nightFor(r), s.outSince, BED_EXIT_AFTER_MS)
    if (now < s.due) return null
    return { do: 'open', data: { outOfBedSince: new Date(s.outSince).toISOString() } }
  },

  save: (s) => ({ outOfBedSince: s.outSince }),
}
