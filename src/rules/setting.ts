import { z } from 'zod'

// A resident's own activity setting (PATCH /api/v1/residents/{id} `activity`): how long without a sign of
// life inside the day window opens an inactivity alert. Stored as given, so the API shows it back unchanged.

const units = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const

/** "90s", "30m", "4h" → milliseconds */
export function durationMs(v: string): number {
  return Number(v.slice(0, -1)) * units[v.at(-1) as keyof typeof units]
}

const duration = z
  .string()
  .regex(/^\d+[smhd]$/, 'a number followed by s, m, h or d, e.g. 4h')
  .refine((v) => durationMs(v) >= 10_000 && durationMs(v) <= 7 * 86_400_000, 'between 10s and 7d')

/** wall-clock HH:MM in the site's time zone; 24:00 is the end of the day */
const clock = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'HH:MM from 00:00 to 24:00')
  .describe('HH:MM in the site time zone')

export const activitySetting = z
  .object({
    inactiveAfter: duration.describe('e.g. 90s, 30m, 4h'),
    window: z
      .object({ from: clock, to: clock })
      .strict()
      .refine((w) => w.from !== w.to, 'from and to must differ (00:00 to 24:00 is all day)'),
  })
  .strict()

export type ActivitySetting = z.output<typeof activitySetting>

/** "07:30" → minutes after midnight */
export const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3))
