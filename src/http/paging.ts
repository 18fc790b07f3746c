import { z } from 'zod'
import { HubError } from '../errors.js'

// Collections take ?limit= (default 100, at most 1000) and ?cursor=, and answer { items, nextCursor? }.

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(500).optional(),
}

/** A list's text search: rows with this text in a name, an id or an address, ignoring case. */
export const searchQuery = {
  q: z.string().trim().max(100).optional().describe('text to look for, ignoring case; empty: no search'),
}

export const encodeCursor = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')

export function decodeCursor<T>(cursor: string | undefined, shape: z.ZodType<T>): T | undefined {
  if (cursor === undefined) return undefined
  try {
    return shape.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')))
  } catch {
    throw new HubError('HUB_ERR_VALIDATION', 'cursor is not one this API issued', [
      { field: 'querystring.cursor', message: 'is not valid' },
    ])
  }
}

export function page<T>(items: T[], next: unknown) {
  return next === undefined ? { items } : { items, nextCursor: encodeCursor(next) }
}
