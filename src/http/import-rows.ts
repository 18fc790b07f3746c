import { parse } from 'csv-parse/sync'
import { HubError } from '../errors.js'

// A detector list as rows of named cells, from CSV (a header line naming the columns) or a JSON array of
// objects. Only what concerns the whole file (not CSV, an unknown column, too many rows) fails the request;
// a row's own problems are reported on the row.

export const MAX_IMPORT_ROWS = 5000
export const importColumns = ['type', 'building', 'floor', 'zone', 'room', 'bed', 'residentId'] as const

export interface RawRow {
  /** 1-based: the first device (the line after a CSV header) is row 1 */
  row: number
  cells: Record<string, unknown>
  /** a problem found before validation (a CSV line with the wrong number of fields) */
  error?: string
}

function badFile(message: string): HubError {
  return new HubError('HUB_ERR_VALIDATION', message, [{ field: 'body', message }])
}

/** Empty cells (and JSON nulls) are absent values. */
function present(cells: Record<string, unknown>) {
  return Object.fromEntries(Object.entries(cells).filter(([, v]) => v !== null && v !== ''))
}

function csvRows(text: string): RawRow[] {
  let records: string[][]
  try {
    records = parse(text, { bom: true, trim: true, skip_empty_lines: true, relax_column_count: true })
  } catch (err) {
    throw badFile(`not valid CSV: ${(err as Error).message}`)
  }
  const [header, ...lines] = records
  if (!header)
    throw badFile('the CSV is empty: it needs a header line (type,building,floor,zone,room,bed,residentId)')
  const unknown = header.filter((h) => !(importColumns as readonly string[]).includes(h))
  if (unknown.length || !header.includes('type')) {
    throw badFile(
      `the header must name columns among ${importColumns.join(',')}, including type; got ${header.join(',')}`,
    )
  }
  if (lines.length > MAX_IMPORT_ROWS) throw badFile(`at most ${MAX_IMPORT_ROWS} rows per import`)
  return lines.map((fields, i) => ({
    row: i + 1,
    cells: present(Object.fromEntries(header.map((h, j) => [h, fields[j]]))),
    ...(fields.length !== header.length && {
      error: `has ${fields.length} fields; the header has ${header.length}`,
    }),
  }))
}

/** The rows of a CSV text or a JSON array (its elements are validated per row). */
export function importRows(body: string | unknown[]): RawRow[] {
  if (typeof body === 'string') return csvRows(body)
  return body.map((cells, i) =>
    cells !== null && typeof cells === 'object' && !Array.isArray(cells)
      ? { row: i + 1, cells: present(cells as Record<string, unknown>) }
      : { row: i + 1, cells: {}, error: 'must be an object' },
  )
}
