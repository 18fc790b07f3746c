import { z } from 'zod'
import { HubError } from '../errors.js'

// Query parameters that views over a period share: `from` (inclusive) and `to` (exclusive) as ISO-8601
// instants, and an IANA time zone for reading calendar days.

const instant = z.iso.datetime({ offset: true })
export const rangeQuery = { from: instant.optional(), to: instant.optional() }

export const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz })
    return true
  } catch {
    return false
  }
}, 'is not an IANA time zone (e.g. Asia/Shanghai)')

/** The period asked for: `to` defaults to now, `from` to `defaultMs` before `to`. */
export function timeRange(q: { from?: string; to?: string }, defaultMs: number) {
  const to = q.to ? new Date(q.to) : new Date()
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - defaultMs)
  if (from >= to) {
    throw new HubError('HUB_ERR_VALIDATION', 'querystring.from must be before to', [
      { field: 'querystring.from', message: 'must be before to' },
    ])
  }
  return { from, to }
}
