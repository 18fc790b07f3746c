import { readFileSync } from 'node:fs'
import t from 'tap'
import { alertClasses, definitions } from '../devices/index.js'
import { windowDue } from '../src/rules/day-window.js'
import { rules } from '../src/rules/index.js'
import type { Observation, ResidentProfile, RuleParams, Standing, Verdict } from '../src/rules/rule.js'

// The sweep over every rule kind (STYLE.md, habit 2): each is well-formed, stays quiet for a quiet subject,
// and has scenarios here (a new rule kind fails until it is given some). Times are wall-clock instants in
// Europe/Berlin; the engine and database are in rules-engine.test.ts.

const consoleWords = readFileSync(new URL('../web/src/i18n/en.ts', import.meta.url), 'utf8')
const params: RuleParams = { batteryLow: 20, batteryOk: 40, flapLimit: 3, flapWindowMs: 10 * 60_000 }
const MIN = 60_000
const zone = 'Europe/Berlin'
const at = (iso: string) => Date.parse(iso)
const profile: ResidentProfile = {
  id: 'res_1',
  siteId: 'site_1',
  abilityLevel: 2,
  livesAlone: true,
  day: { zone, from: 7 * 60, to: 22 * 60 },
  inactiveAfterMs: 2 * 60 * MIN,
  activityDevices: 1,
  bedDevices: 1,
}
const o = (iso: string, extra: Partial<Observation>): Observation => ({
  at: at(iso),
  deviceId: 'dev_1',
  kind: 'reading',
  activity: false,
  ...extra,
})

const leak = (iso: string, state: 'alarm' | 'clear') =>
  o(iso, { kind: 'event', deviceType: 'water-meter', eventType: 'leak', eventId: `l-${iso}`, state })

interface Step {
  observe?: Observation
  /** sweep at this instant */
  sweep?: string
  /** set what stands (as the bus would after the runner committed) */
  stands?: Partial<Standing>
  expect: Verdict extends infer V ? (V extends { do: infer D } ? D : never) | null : never
}

const scenarios: Record<string, { name: string; start: string; steps: Step[] }[]> = {
  inactivity: [
    {
      name: 'only window time counts: 21:30 + 2h is 08:30 the next morning',
      start: '2026-03-10T21:30:00+01:00',
      steps: [
        { sweep: '2026-03-10T23:30:00+01:00', expect: null },
        { sweep: '2026-03-11T08:29:00+01:00', expect: null },
        { sweep: '2026-03-11T08:30:00+01:00', expect: 'open' },
        { stands: { open: true, alertedAt: at('2026-03-11T08:30:00+01:00') }, expect: null },
        { sweep: '2026-03-11T09:30:00+01:00', expect: null },
        { observe: o('2026-03-11T09:31:00+01:00', { activity: true }), expect: 'resolve' },
      ],
    },
    {
      name: 'an operator resolving it while the resident is silent is not asked again',
      start: '2026-03-10T10:00:00+01:00',
      steps: [
        { sweep: '2026-03-10T12:00:00+01:00', expect: 'open' },
        { stands: { open: false, alertedAt: at('2026-03-10T12:00:00+01:00') }, expect: null },
        { sweep: '2026-03-10T18:00:00+01:00', expect: null },
        { observe: o('2026-03-10T18:01:00+01:00', { activity: true }), expect: null },
        { sweep: '2026-03-10T20:01:00+01:00', expect: 'open' },
      ],
    },
  ],
  'bed-exit-night': [
    {
      name: 'out of bed at 02:00 for 30 minutes; back in bed resolves',
      start: '2026-03-10T21:00:00+01:00',
      steps: [
        { observe: o('2026-03-11T02:00:00+01:00', { kind: 'event', eventType: 'out-of-bed' }), expect: null },
        { sweep: '2026-03-11T02:29:00+01:00', expect: null },
        { sweep: '2026-03-11T02:30:00+01:00', expect: 'open' },
        { stands: { open: true, alertedAt: at('2026-03-11T02:30:00+01:00') }, expect: null },
        { observe: o('2026-03-11T02:40:00+01:00', { values: { presence: 1 } }), expect: 'resolve' },
      ],
    },
    {
      name: 'getting up at 06:50 is morning, not an alarm',
      start: '2026-03-10T21:00:00+01:00',
      steps: [
        { observe: o('2026-03-11T06:50:00+01:00', { values: { presence: 0 } }), expect: null },
        { sweep: '2026-03-11T09:00:00+01:00', expect: null },
      ],
    },
  ],
  'vital-range': [
    {
      name: 'a heart rate over the range for 5 minutes; one in-range reading ends a streak',
      start: '2026-03-10T23:00:00+01:00',
      steps: [
        {
          observe: o('2026-03-10T23:00:00+01:00', { values: { presence: 1, heartRate: 150 } }),
          expect: null,
        },
        { observe: o('2026-03-10T23:02:00+01:00', { values: { presence: 1, heartRate: 70 } }), expect: null },
        {
          observe: o('2026-03-10T23:03:00+01:00', { values: { presence: 1, heartRate: 155 } }),
          expect: null,
        },
        { sweep: '2026-03-10T23:07:00+01:00', expect: null },
        { sweep: '2026-03-10T23:08:00+01:00', expect: 'open' },
        { sweep: '2026-03-10T23:09:00+01:00', expect: null },
      ],
    },
  ],
  'low-battery': [
    {
      name: 'opens at 20%, not again while wavering, resolves only at 40%',
      start: '2026-03-10T10:00:00+01:00',
      steps: [
        { observe: o('2026-03-10T10:00:00+01:00', { battery: 25 }), expect: null },
        { observe: o('2026-03-10T10:01:00+01:00', { battery: 19 }), expect: 'open' },
        { stands: { open: true, alertedAt: 1 }, expect: null },
        { observe: o('2026-03-10T10:02:00+01:00', { battery: 22 }), expect: null },
        { observe: o('2026-03-10T10:03:00+01:00', { battery: 18 }), expect: null },
        { observe: o('2026-03-10T10:04:00+01:00', { battery: 39 }), expect: null },
        { observe: o('2026-03-10T10:05:00+01:00', { battery: 100 }), expect: 'resolve' },
      ],
    },
  ],
  'hold-down': [
    {
      name: "a water meter's leak opens only once it has lasted 120 s",
      start: '2026-03-10T10:00:00+01:00',
      steps: [
        { observe: leak('2026-03-10T10:00:00+01:00', 'alarm'), expect: null },
        { observe: leak('2026-03-10T10:00:30+01:00', 'alarm'), expect: null },
        { sweep: '2026-03-10T10:01:59+01:00', expect: null },
        { sweep: '2026-03-10T10:02:00+01:00', expect: 'open' },
        { sweep: '2026-03-10T10:03:00+01:00', expect: null },
      ],
    },
    {
      name: 'a leak cleared within the hold-down opens nothing',
      start: '2026-03-10T10:00:00+01:00',
      steps: [
        { observe: leak('2026-03-10T10:00:00+01:00', 'alarm'), expect: null },
        { observe: leak('2026-03-10T10:01:00+01:00', 'clear'), expect: null },
        { sweep: '2026-03-10T10:05:00+01:00', expect: null },
      ],
    },
  ],
  flapping: [
    {
      name: 'more than 3 toggles in 10 minutes is one alert; quiet for a window resolves it',
      start: '2026-03-10T10:00:00+01:00',
      steps: [
        ...['online', 'offline', 'online', 'offline'].map((status, i) => ({
          observe: o(`2026-03-10T10:0${i}:00+01:00`, { kind: 'status', status: status as 'online' }),
          expect: null,
        })),
        { sweep: '2026-03-10T10:04:00+01:00', expect: null },
        { observe: o('2026-03-10T10:05:00+01:00', { kind: 'status', status: 'online' }), expect: null },
        { sweep: '2026-03-10T10:05:30+01:00', expect: 'open' },
        { stands: { open: true, alertedAt: 1 }, expect: null },
        { sweep: '2026-03-10T10:06:00+01:00', expect: null },
        {
          observe: o('2026-03-10T10:07:00+01:00', { kind: 'event', eventType: 'tamper', state: 'alarm' }),
          expect: null,
        },
        {
          observe: o('2026-03-10T10:07:10+01:00', { kind: 'event', eventType: 'tamper', state: 'clear' }),
          expect: null,
        },
        { sweep: '2026-03-10T10:08:00+01:00', expect: 'open' },
        { sweep: '2026-03-10T10:17:00+01:00', expect: null },
        { sweep: '2026-03-10T10:17:11+01:00', expect: 'resolve' },
      ],
    },
  ],
}

t.test('rule kinds have unique names and well-formed alerts', async (t) => {
  t.equal(new Set(rules.map((r) => r.name)).size, rules.length)
  for (const r of rules) {
    t.ok(r.alert.priority >= 1 && r.alert.priority <= 4, `${r.name}: priority 1..4`)
    t.ok(alertClasses.includes(r.alert.class), `${r.name}: a known alert class`)
    if (r.name !== 'hold-down')
      t.ok(consoleWords.includes(`'type.${r.alert.type}'`), `${r.name}: the console names ${r.alert.type}`)
  }
  // hold-down opens the alert types the definitions name
  for (const d of definitions)
    for (const rule of Object.values(d.events))
      if (rule.action === 'open' && rule.holdDownSeconds)
        t.ok(consoleWords.includes(`'type.${rule.alertType}'`), `the console names ${rule.alertType}`)
})

for (const rule of rules) {
  t.test(rule.name, async (t) => {
    t.ok(scenarios[rule.name]?.length, 'has scenarios')
    for (const sc of scenarios[rule.name] ?? []) {
      await t.test(sc.name, async (t) => {
        const start = at(sc.start)
        const s = rule.scope === 'resident' ? rule.init(profile, start, { lastActivity: start }) : rule.init()
        for (const step of sc.steps) {
          if (step.stands) Object.assign(s, step.stands)
          let v: Verdict = null
          if (step.observe) {
            v =
              rule.scope === 'resident'
                ? rule.observe(s, step.observe, profile, params)
                : rule.observe(s, step.observe, params)
          } else if (step.sweep) {
            v =
              rule.scope === 'resident'
                ? rule.evaluate(s, at(step.sweep), profile, params)
                : rule.evaluate(s, at(step.sweep), params)
          }
          t.equal(
            v?.do ?? null,
            step.expect,
            `${step.observe ? 'observe' : step.sweep ? `sweep ${step.sweep}` : 'stands'}`,
          )
        }
      })
    }
  })

  t.test(`${rule.name}: a quiet subject raises nothing for a week`, async (t) => {
    const start = at('2026-03-10T10:00:00+01:00')
    const quiet = { ...profile, activityDevices: 0 }
    const s = rule.scope === 'resident' ? rule.init(quiet, start, {}) : rule.init()
    for (let h = 0; h < 7 * 24; h++) {
      const now = start + h * 60 * MIN
      // a resident who moves every hour, a device that is merely there
      if (rule.scope === 'resident') {
        rule.observe(
          s,
          { at: now, deviceId: 'd', kind: 'event', activity: true, eventType: 'motion' },
          quiet,
          params,
        )
        t.equal(rule.evaluate(s, now + 30 * MIN, quiet, params), null)
      } else t.equal(rule.evaluate(s, now, params), null)
    }
  })
}

t.test('window time across midnight and a DST change (Europe/Berlin, 29 March 2026)', async (t) => {
  // 22:00–06:00: 22:00 CET is 21:00Z; the clock jumps from 02:00 to 03:00, so 4 hours later is 03:00 CEST
  const night = { zone, from: 22 * 60, to: 6 * 60 }
  t.equal(
    new Date(windowDue(night, at('2026-03-28T22:00:00+01:00'), 4 * 60 * MIN)).toISOString(),
    '2026-03-29T01:00:00.000Z',
  )
  // the autumn night is 25 hours long: 22:00 CEST + 5h is 02:00 CET (the second 02:00)
  t.equal(
    new Date(windowDue(night, at('2026-10-24T22:00:00+02:00'), 5 * 60 * MIN)).toISOString(),
    '2026-10-25T01:00:00.000Z',
  )
  // all day: 00:00–24:00 is plain elapsed time, even across the change
  const allDay = { zone, from: 0, to: 1440 }
  t.equal(windowDue(allDay, at('2026-03-28T23:00:00+01:00'), 3 * 60 * MIN), at('2026-03-29T01:00:00Z'))
  // a window that starts in the skipped hour (02:30) starts an hour later on the wall clock, 03:30 CEST
  const early = { zone, from: 2 * 60 + 30, to: 5 * 60 }
  t.equal(windowDue(early, at('2026-03-29T00:00:00+01:00'), 30 * MIN), at('2026-03-29T04:00:00+02:00'))
})
