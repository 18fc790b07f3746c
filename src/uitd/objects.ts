import { DateTime } from 'luxon'
import type { TimeLabel } from '../contract/gbt26875/frame.js'
import { bitsSet, stateBits, type Unit, uitdStateBits } from '../contract/gbt26875/units.js'

// A decoded frame's information objects as the values handed to ingest (devices/uitd.ts decodes them):
// `{ id, ts, unit, …fields }`. The id is the frame's serial number and the object's place in it, so a frame
// sent again with the same serial (a retransmission) carries the same ids and payloads and opens nothing new.
// Time labels are the UITD's local time: read in the site's time zone.

export interface UnitObject {
  id: string
  ts: string
  unit: string
  [field: string]: unknown
}

/** A time label read in `zone`; null when it names no real instant (30 February). */
export function labelToDate(t: TimeLabel, zone: string): Date | null {
  const d = DateTime.fromObject(t, { zone })
  return d.isValid ? d.toJSDate() : null
}

/** The current time as a time label in `zone` (what the hub writes in its confirms and clock answers). */
export function labelNow(now: Date, zone: string): TimeLabel {
  const d = DateTime.fromJSDate(now, { zone })
  return { year: d.year, month: d.month, day: d.day, hour: d.hour, minute: d.minute, second: d.second }
}

/** Units that carry the state of the fire facilities or the UITD and can raise an alarm. */
const STATE_UNITS = new Set(['system-state', 'component-state', 'uitd-state'])

/** Whether any object of the unit has its fire-alarm bit set (the frame then goes ahead of the others). */
export function carriesFire(u: Unit): boolean {
  if (!STATE_UNITS.has(u.name)) return false
  const names = u.name === 'uitd-state' ? uitdStateBits : stateBits
  return u.objects.some((o) => bitsSet(names, o.state as number).includes('fire'))
}

export function unitObjects(serial: number, frameTime: Date, u: Unit, zone: string): UnitObject[] {
  return u.objects.map((o, n) => {
    const { time, ...fields } = o
    const ts = (time && labelToDate(time as TimeLabel, zone)) || frameTime
    return { id: `${serial}.${n}`, ts: ts.toISOString(), unit: u.name, ...fields }
  })
}

/** `system/component` of each object that names a component, for the component map. */
export const componentKey = (o: UnitObject) =>
  typeof o.componentAddress === 'number' ? `${o.systemAddress}/${o.componentAddress}` : null
