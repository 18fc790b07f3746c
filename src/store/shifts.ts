import type { Schedule, Weekday } from '../core/roster.js'
import { resourceStore } from './resources.js'
import { contactColumns, contactJson, type Language } from './users.js'

// Duty shifts per site (migration 003). A row is one-off (starts_at..ends_at) or weekly (days, day_from,
// day_to); the API shows both as { days, from, to } with `kind` saying which.

type Row = Record<string, unknown>

/** The roster's view of a shift row. */
export function scheduleOf(r: Row): Schedule {
  return r.days
    ? { kind: 'weekly', days: r.days as Weekday[], from: r.day_from as string, to: r.day_to as string }
    : { kind: 'once', from: r.starts_at as Date, to: r.ends_at as Date }
}

export const shiftRecords = resourceStore({
  table: 'shifts',
  siteColumn: 'site_id',
  fields: {
    ...contactColumns,
    siteId: { column: 'site_id' },
    userId: { column: 'user_id' },
    startsAt: { column: 'starts_at' },
    endsAt: { column: 'ends_at' },
    days: { column: 'days' },
    dayFrom: { column: 'day_from' },
    dayTo: { column: 'day_to' },
  },
  toJson: (r: Row) => {
    const s = scheduleOf(r)
    return {
      id: r.id as string,
      siteId: r.site_id as string,
      userId: r.user_id as string | null,
      // language null: the user's, else zh-CN
      ...contactJson(r),
      language: r.language as Language | null,
      kind: s.kind,
      days: s.kind === 'weekly' ? s.days : null,
      from: s.kind === 'weekly' ? s.from : s.from.toISOString(),
      to: s.kind === 'weekly' ? s.to : s.to.toISOString(),
      createdAt: (r.created_at as Date).toISOString(),
    }
  },
})

export type ShiftJson = NonNullable<Awaited<ReturnType<typeof shiftRecords.get>>>
