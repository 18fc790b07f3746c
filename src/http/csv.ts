import { stringify } from 'csv-stringify/sync'

// CSV for people's spreadsheets: RFC 4180 quoting (csv-stringify), a UTF-8 byte-order mark so Excel reads
// Chinese names right, and cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR first)
// prefixed with a quote, as OWASP advises: notes are typed by users.

const formulaStart = /^[=+\-@\t\r]/

const cell = (v: unknown) => {
  if (v === null || v === undefined) return ''
  const s = String(v)
  return formulaStart.test(s) ? `'${s}` : s
}

export function toCsv(columns: readonly string[], rows: Record<string, unknown>[]): string {
  const records = rows.map((r) => Object.fromEntries(columns.map((c) => [c, cell(r[c])])))
  return stringify(records, { bom: true, header: true, columns: [...columns], record_delimiter: 'windows' })
}
