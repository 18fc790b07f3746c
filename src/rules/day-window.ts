import { DateTime } from 'luxon'

// A daily wall-clock window in a time zone (07:00–22:00 Europe/Berlin; 22:00–07:00 runs across midnight),
// and how much of it passes between two instants. Boundaries are found per local date with luxon, so a day
// of 23 or 25 hours (a DST change) counts its real length; a wall-clock time that does not exist that day
// (02:30 on a spring-forward night) moves forward by the hour skipped (03:30), as luxon and Temporal do.

export interface DayWindow {
  zone: string
  /** minutes after local midnight; `to` may be smaller than `from` (across midnight) or 1440 (24:00) */
  from: number
  to: number
}

const DAY_MS = 86_400_000

/** Window intervals [start, end) in epoch ms, for local dates, cached: residents share a few windows. */
const cache = new Map<string, [number, number]>()

function interval(w: DayWindow, isoDate: string): [number, number] {
  const key = `${w.zone}|${w.from}|${w.to}|${isoDate}`
  let hit = cache.get(key)
  if (!hit) {
    const day = DateTime.fromISO(isoDate, { zone: w.zone })
    const at = (min: number, plusDays = 0) =>
      day
        .plus({ days: plusDays + Math.floor(min / 1440) })
        .set({ hour: Math.floor((min % 1440) / 60), minute: min % 60 })
    const start = at(w.from).toMillis()
    const end = at(w.to, w.to <= w.from ? 1 : 0).toMillis()
    hit = [start, end]
    if (cache.size > 50_000) cache.clear()
    cache.set(key, hit)
  }
  return hit
}

/** The local calendar date at an instant, cached per quarter hour (every UTC offset is a multiple of one). */
const dates = new Map<string, string>()

function localDate(zone: string, at: number): string {
  const key = `${zone}|${Math.floor(at / 900_000)}`
  let d = dates.get(key)
  if (!d) {
    d = DateTime.fromMillis(at, { zone }).toISODate()!
    if (dates.size > 50_000) dates.clear()
    dates.set(key, d)
  }
  return d
}

/** Calendar arithmetic on YYYY-MM-DD (no time zone involved). */
const addDays = (isoDate: string, n: number) =>
  new Date(Date.parse(`${isoDate}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10)

/** The window intervals that may overlap [from, …): starting with the local day before `from`'s. */
function* intervalsFrom(w: DayWindow, from: number) {
  let day = addDays(localDate(w.zone, from), -1)
  for (;;) {
    yield interval(w, day)
    day = addDays(day, 1)
  }
}

/**
 * The instant at which `needMs` of window time has passed since `since` (inside the window: only the time
 * the window is open counts). Bounded: a window of at least a minute a day is met within needMs/60000 days.
 */
export function windowDue(w: DayWindow, since: number, needMs: number): number {
  let left = needMs
  let guard = Math.ceil(needMs / 60_000) + 3
  for (const [start, end] of intervalsFrom(w, since)) {
    if (guard-- <= 0) break
    const s = Math.max(start, since)
    if (end <= s) continue
    if (end - s >= left) return s + left
    left -= end - s
  }
  return since + needMs + DAY_MS
}

/** Whether `at` is inside the window. */
export function inWindow(w: DayWindow, at: number): boolean {
  const it = intervalsFrom(w, at)
  for (let i = 0; i < 3; i++) {
    const [start, end] = it.next().value as [number, number]
    if (at >= start && at < end) return true
  }
  return false
}

/** The complementary window (the night of a day window). */
export const nightOf = (w: DayWindow): DayWindow => ({
  zone: w.zone,
  from: w.to % 1440,
  to: w.from === 0 ? 1440 : w.from,
})
