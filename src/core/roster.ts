import { DateTime } from 'luxon'

// Duty rosters (24小时值班): which shift occurrences cover an instant. Pure: no I/O, no clock.
// Weekly shifts are wall-clock times in the site's time zone, so "20:00" stays 20:00 across a DST change
// (the occurrence is then 1 h shorter or longer in real time). Luxon resolves the two awkward wall times:
// one skipped by a spring-forward gap moves forward by the gap; one that occurs twice takes the later instant.

export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const
export type Weekday = (typeof weekdays)[number]

export type Schedule =
  | { kind: 'once'; from: Date; to: Date }
  /** `from`/`to` are "HH:MM"; `to <= from` ends on the next day (so `from === to` is 24 hours) */
  | { kind: 'weekly'; days: Weekday[]; from: string; to: string }

/** One concrete stretch of a shift: `from` inclusive, `to` exclusive. */
export interface Occurrence {
  from: Date
  to: Date
}

export const hhmm = /^([01]\d|2[0-3]):[0-5]\d$/

const clock = (t: string) => ({ hour: Number(t.slice(0, 2)), minute: Number(t.slice(3, 5)) })

/** The weekly occurrence that starts on the local day `day` (any time that day, in the zone). */
function weeklyOccurrence(day: DateTime, from: string, to: string): Occurrence {
  const start = day.set({ ...clock(from), second: 0, millisecond: 0 })
  const endDay = to <= from ? day.plus({ days: 1 }) : day
  const end = endDay.set({ ...clock(to), second: 0, millisecond: 0 })
  return { from: start.toJSDate(), to: end.toJSDate() }
}

const covers = (o: Occurrence, at: Date) => o.from.getTime() <= at.getTime() && at.getTime() < o.to.getTime()

/** The occurrence of `schedule` covering `at`, or null. `timezone` is IANA (the site's). */
export function occurrenceAt(schedule: Schedule, timezone: string, at: Date): Occurrence | null {
  if (schedule.kind === 'once') return covers(schedule, at) ? { from: schedule.from, to: schedule.to } : null
  const local = DateTime.fromJSDate(at, { zone: timezone })
  if (!local.isValid) throw new Error(`not an IANA time zone: ${timezone}`)
  // An occurrence lasts at most 24 h, so only one starting yesterday or today can cover `at`.
  const today = local.startOf('day')
  for (const day of [today.minus({ days: 1 }), today]) {
    if (!schedule.days.includes(weekdays[day.weekday - 1]!)) continue
    const o = weeklyOccurrence(day, schedule.from, schedule.to)
    if (covers(o, at)) return o
  }
  return null
}

/** Every shift covering `at`, with its occurrence, ordered by the occurrence's start. */
export function coveringShifts<S extends { schedule: Schedule }>(
  shifts: S[],
  timezone: string,
  at: Date,
): (S & { occurrence: Occurrence })[] {
  return shifts
    .flatMap((s) => {
      const occurrence = occurrenceAt(s.schedule, timezone, at)
      return occurrence ? [{ ...s, occurrence }] : []
    })
    .sort((a, b) => a.occurrence.from.getTime() - b.occurrence.from.getTime())
}
