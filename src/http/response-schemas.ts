import { z } from 'zod'

// Success answers of routes whose fields the README lists: declared loosely (every field passes), so the
// OpenAPI document names the status and the shape without a second copy of each record to keep in step.
// Typed as plain ZodType: the handlers' own return types check the fields, these only document them.

/** One object: a record, a summary or a command's answer. */
export const anObject: z.ZodType = z.looseObject({}).describe('a JSON object; its fields are in the README')

/** A collection page: `{ items, nextCursor? }`. */
export const aList: z.ZodType = z
  .looseObject({ items: z.array(z.unknown()), nextCursor: z.string().optional() })
  .describe('{ items, nextCursor? }; the fields of each item are in the README')

/** A record with its id (or, for an import, the summary of what was done). */
export const aRecord: z.ZodType = z
  .looseObject({ id: z.string().optional() })
  .describe('the record; its fields are in the README')

/** A text file (CSV) for download. */
export const aCsvFile: z.ZodType = z.string().describe('text/csv')

/** Plain text (e.g. a platform's URL-check echo). */
export const aText: z.ZodType = z.string().describe('text/plain')
