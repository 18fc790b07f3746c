import { z } from 'zod'

// Durations as people write them in scenario files and on the command line: "250ms", "30s", "5m", "1h",
// or a bare number of seconds. A leading "-" is allowed where a signed duration makes sense (clock skew).

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const
const PATTERN = /^(-?\d+(?:\.\d+)?)(ms|s|m|h)$/

export function parseDuration(text: string | number): number {
  if (typeof text === 'number') return text * 1_000
  const m = text.trim().match(PATTERN)
  if (!m) throw new Error(`"${text}" is not a duration (e.g. 500ms, 30s, 5m, 1h)`)
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS]
}

/** A zod duration in milliseconds; `signed` allows negative values. */
export const durationMs = (signed = false) =>
  z.union([z.number(), z.string()]).transform((v, ctx) => {
    try {
      const ms = parseDuration(v)
      if (ms < 0 && !signed) throw new Error(`"${v}" must not be negative`)
      return ms
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message })
      return z.NEVER
    }
  })

export const formatMs = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(0)} s` : `${ms.toFixed(0)} ms`)
