import t from 'tap'
import { coveringShifts, occurrenceAt, type Schedule } from '../src/core/roster.js'

// The pure roster logic, table-driven. Instants are written in UTC; the comment says the site's local time.
// 2026-11-23 is a Monday. Shanghai is UTC+8 all year; Berlin switches to summer time on Sun 2026-03-29
// (02:00 → 03:00) and back on Sun 2026-10-25 (03:00 → 02:00).

const SH = 'Asia/Shanghai'
const BER = 'Europe/Berlin'
const overnightMon: Schedule = { kind: 'weekly', days: ['mon'], from: '20:00', to: '08:00' }
const weekdayDays: Schedule = {
  kind: 'weekly',
  days: ['mon', 'tue', 'wed', 'thu', 'fri'],
  from: '08:00',
  to: '20:00',
}
const fullDayMon: Schedule = { kind: 'weekly', days: ['mon'], from: '08:00', to: '08:00' }
const eveningToMidnight: Schedule = { kind: 'weekly', days: ['mon'], from: '16:00', to: '00:00' }
const satNight: Schedule = { kind: 'weekly', days: ['sat'], from: '22:00', to: '06:00' }
const sunInGap: Schedule = { kind: 'weekly', days: ['sun'], from: '02:30', to: '06:00' }
const once: Schedule = {
  kind: 'once',
  from: new Date('2026-11-23T01:00:00.000Z'),
  to: new Date('2026-11-23T05:00:00.000Z'),
}

type Row = [name: string, schedule: Schedule, tz: string, at: string, expected: [string, string] | null]

// biome-ignore format: one row per line reads as a table
const table: Row[] = [
  // overnight: Mon 20:00–08:00 covers Tue 03:00, not Mon 03:00 (that would be Sunday's) nor Tue 08:00
  ['overnight covers Tue 03:00', overnightMon, SH, '2026-11-23T19:00:00.000Z', ['2026-11-23T12:00:00.000Z', '2026-11-24T00:00:00.000Z']],
  ['overnight, not Mon 03:00', overnightMon, SH, '2026-11-22T19:00:00.000Z', null],
  ['overnight from is inclusive (Mon 20:00)', overnightMon, SH, '2026-11-23T12:00:00.000Z', ['2026-11-23T12:00:00.000Z', '2026-11-24T00:00:00.000Z']],
  ['overnight to is exclusive (Tue 08:00)', overnightMon, SH, '2026-11-24T00:00:00.000Z', null],
  ['overnight, 1 ms before the end', overnightMon, SH, '2026-11-23T23:59:59.999Z', ['2026-11-23T12:00:00.000Z', '2026-11-24T00:00:00.000Z']],
  ['overnight, 1 ms before the start', overnightMon, SH, '2026-11-23T11:59:59.999Z', null],
  ['overnight, not Tue 20:00', overnightMon, SH, '2026-11-24T12:00:00.000Z', null],
  // weekly day shifts
  ['weekday shift, Wed 12:00', weekdayDays, SH, '2026-11-25T04:00:00.000Z', ['2026-11-25T00:00:00.000Z', '2026-11-25T12:00:00.000Z']],
  ['weekday shift, not Sat 12:00', weekdayDays, SH, '2026-11-28T04:00:00.000Z', null],
  ['weekday shift, not Wed 20:00', weekdayDays, SH, '2026-11-25T12:00:00.000Z', null],
  ['from == to is 24 h: Tue 07:59', fullDayMon, SH, '2026-11-23T23:59:00.000Z', ['2026-11-23T00:00:00.000Z', '2026-11-24T00:00:00.000Z']],
  ['from == to is 24 h: not Tue 08:00', fullDayMon, SH, '2026-11-24T00:00:00.000Z', null],
  ['to 00:00 ends at midnight: Mon 23:59', eveningToMidnight, SH, '2026-11-23T15:59:00.000Z', ['2026-11-23T08:00:00.000Z', '2026-11-23T16:00:00.000Z']],
  ['to 00:00 ends at midnight: not Tue 00:00', eveningToMidnight, SH, '2026-11-23T16:00:00.000Z', null],
  // the site's time zone decides: Mon 20:00 in Berlin (UTC+1 in November) is 19:00Z, not 12:00Z
  ['Berlin: Mon 20:00 local', overnightMon, BER, '2026-11-23T19:00:00.000Z', ['2026-11-23T19:00:00.000Z', '2026-11-24T07:00:00.000Z']],
  ['Berlin: 12:00Z is Mon 13:00 local, off duty', overnightMon, BER, '2026-11-23T12:00:00.000Z', null],
  // DST: wall-clock times hold, so the night the clocks go forward is 7 h and the night they go back 9 h
  ['spring forward: Sat 22:00 CET → Sun 06:00 CEST', satNight, BER, '2026-03-29T03:59:00.000Z', ['2026-03-28T21:00:00.000Z', '2026-03-29T04:00:00.000Z']],
  ['spring forward: Sun 06:00 CEST ends it', satNight, BER, '2026-03-29T04:00:00.000Z', null],
  ['fall back: Sat 22:00 CEST → Sun 06:00 CET', satNight, BER, '2026-10-25T04:30:00.000Z', ['2026-10-24T20:00:00.000Z', '2026-10-25T05:00:00.000Z']],
  ['fall back: still on at 05:59 CET', satNight, BER, '2026-10-25T04:59:59.999Z', ['2026-10-24T20:00:00.000Z', '2026-10-25T05:00:00.000Z']],
  ['fall back: Sun 06:00 CET ends it', satNight, BER, '2026-10-25T05:00:00.000Z', null],
  ['a week later, Sat 22:00 is 21:00Z again', satNight, BER, '2026-10-31T21:00:00.000Z', ['2026-10-31T21:00:00.000Z', '2026-11-01T05:00:00.000Z']],
  ['a start in the spring gap moves forward: not 01:29Z', sunInGap, BER, '2026-03-29T01:29:00.000Z', null],
  ['a start in the spring gap moves forward: 03:30 CEST', sunInGap, BER, '2026-03-29T01:30:00.000Z', ['2026-03-29T01:30:00.000Z', '2026-03-29T04:00:00.000Z']],
  // one-off shifts are instants: the zone does not matter
  ['one-off, from inclusive', once, SH, '2026-11-23T01:00:00.000Z', ['2026-11-23T01:00:00.000Z', '2026-11-23T05:00:00.000Z']],
  ['one-off, inside', once, BER, '2026-11-23T03:00:00.000Z', ['2026-11-23T01:00:00.000Z', '2026-11-23T05:00:00.000Z']],
  ['one-off, to exclusive', once, SH, '2026-11-23T05:00:00.000Z', null],
  ['one-off, before', once, SH, '2026-11-23T00:59:59.999Z', null],
]

t.test('occurrenceAt', async (t) => {
  for (const [name, schedule, tz, at, expected] of table) {
    const o = occurrenceAt(schedule, tz, new Date(at))
    t.same(o && [o.from.toISOString(), o.to.toISOString()], expected, name)
  }
})

t.test('an unknown time zone is an error, not a silent miss', async (t) => {
  t.throws(() => occurrenceAt(overnightMon, 'Mars/Base', new Date()), /time zone/)
})

t.test('coveringShifts keeps covering shifts, earliest start first', async (t) => {
  const shifts = [
    { id: 'day', schedule: weekdayDays },
    { id: 'night', schedule: overnightMon },
    {
      id: 'once',
      schedule: {
        ...once,
        from: new Date('2026-11-23T10:00:00.000Z'),
        to: new Date('2026-11-23T13:00:00.000Z'),
      } as Schedule,
    },
    { id: 'sat', schedule: satNight },
  ]
  // Mon 20:30 Shanghai: the night shift (from 12:00Z) and the one-off (from 10:00Z); the day shift has ended
  const found = coveringShifts(shifts, SH, new Date('2026-11-23T12:30:00.000Z'))
  t.same(
    found.map((s) => s.id),
    ['once', 'night'],
  )
  t.equal(found[1]!.occurrence.to.toISOString(), '2026-11-24T00:00:00.000Z')
  t.same(coveringShifts(shifts, SH, new Date('2026-11-28T04:00:00.000Z')), [], 'nobody on duty Sat noon')
})
