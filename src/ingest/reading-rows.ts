import { type CanonicalReading, METRIC_SLOTS } from '../../devices/index.js'

// Readings as rows of PostgreSQL's COPY text format: one string per batch, sent in one go. Built here rather
// than by a generic encoder because every field's type is known: numbers, ISO times, text ids and a JSON object.

export const READING_COLUMNS = [
  'device_id',
  'ts',
  'received_at',
  'battery',
  'rssi',
  'm1',
  'm2',
  'm3',
  'm4',
  'data',
]

export interface ReadingRow {
  deviceId: string
  reading: CanonicalReading
  /** the device type's typed metrics, in slot order (its definition's `metrics`) */
  metrics: readonly string[]
  receivedAt: Date
}

const NULL = '\\N'

/** COPY text escapes: backslash first, then the characters that end a field or a row. */
const text = (s: string) =>
  /[\\\t\n\r]/.test(s)
    ? s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
    : s

const num = (n: number | undefined) => (n === undefined ? NULL : String(n))

/** Readings of a batch often share a millisecond: each column's time is formatted once per distinct value. */
function isoCache() {
  let lastMs = Number.NaN
  let last = ''
  return (d: Date) => {
    const ms = d.getTime()
    if (ms !== lastMs) {
      lastMs = ms
      last = d.toISOString()
    }
    return last
  }
}
const tsIso = isoCache()
const receivedIso = isoCache()

function row({ deviceId, reading, metrics, receivedAt }: ReadingRow): string {
  const values = reading.values
  let line = `${text(deviceId)}\t${tsIso(reading.ts)}\t${receivedIso(receivedAt)}\t${num(reading.battery)}\t${num(reading.rssi)}`
  for (let i = 0; i < METRIC_SLOTS; i++) {
    const m = metrics[i]
    line += m === undefined ? `\t${NULL}` : `\t${num(values[m])}`
  }
  let rest = ''
  for (const k in values) {
    if (!metrics.includes(k)) rest += `${rest ? ',' : '{'}${JSON.stringify(k)}:${values[k]}`
  }
  return `${line}\t${rest ? `${text(rest)}}` : '{}'}\n`
}

export function copyText(rows: readonly ReadingRow[]): string {
  let out = ''
  for (const r of rows) out += row(r)
  return out
}
