import t from 'tap'
import type { AlertClass } from '../devices/index.js'
import {
  type Chain,
  choosePolicy,
  type Position,
  runStep,
  start,
  stepsSchema,
} from '../src/core/escalation.js'

// The pure escalation chain, driven with injected times: which step runs, why each target is notified, and
// when the next step is due.

const t0 = new Date('2026-11-24T03:00:00.000Z')
const at = (s: number) => new Date(t0.getTime() + s * 1000)

// the shipped life-safety default (migrations/007_alert_class.sql)
const chain: Chain = {
  policyId: 'pol_default_life_safety',
  policyName: 'Life-safety default',
  steps: stepsSchema.parse([
    { name: 'alert', targets: ['call-centre', 'duty-staff'], waitSeconds: 60 },
    { name: 'escalate', targets: ['supervisor', 'family'], waitSeconds: 120 },
    {
      name: 'unanswered',
      targets: ['call-centre', 'duty-staff', 'supervisor', 'family'],
      waitSeconds: 300,
      unanswered: true,
    },
  ]),
}

t.test(
  'the default chain runs its steps in order, at their deadlines, then reminds every 5 minutes',
  async (t) => {
    const table: {
      due: number
      step: string
      reasons: Record<string, string>
      unanswered: boolean
      next: number
    }[] = [
      {
        due: 0,
        step: 'alert',
        reasons: { 'call-centre': 'alert', 'duty-staff': 'alert' },
        unanswered: false,
        next: 60,
      },
      {
        due: 60,
        step: 'escalate',
        reasons: { supervisor: 'alert', family: 'alert' },
        unanswered: false,
        next: 180,
      },
      {
        due: 180,
        step: 'unanswered',
        // every target here was notified by an earlier step: each gets a reminder, a new notification
        reasons: {
          'call-centre': 'reminder',
          'duty-staff': 'reminder',
          supervisor: 'reminder',
          family: 'reminder',
        },
        unanswered: true,
        next: 480,
      },
      {
        due: 480,
        step: 'unanswered',
        reasons: {
          'call-centre': 'reminder',
          'duty-staff': 'reminder',
          supervisor: 'reminder',
          family: 'reminder',
        },
        unanswered: false,
        next: 780,
      },
    ]
    let position: Position = start(t0)
    for (const row of table) {
      t.same(position.dueAt, at(row.due), `step "${row.step}" is due at +${row.due} s`)
      const run = runStep(chain, position)
      t.equal(run.step.name, row.step)
      t.same(Object.fromEntries(run.reasons), row.reasons, `reasons at +${row.due} s`)
      t.equal(run.raiseUnanswered, row.unanswered, `unanswered raised at +${row.due} s: ${row.unanswered}`)
      t.same(run.next.dueAt, at(row.next), `the next step is due at +${row.next} s`)
      position = run.next
    }
  },
)

t.test('a new target in the unanswered step is told it is unanswered, not reminded', async (t) => {
  const c: Chain = {
    ...chain,
    steps: stepsSchema.parse([
      { name: 'first', targets: ['call-centre'], waitSeconds: 10 },
      { name: 'last', targets: ['call-centre', { user: 'usr_boss' }], waitSeconds: 30, unanswered: true },
    ]),
  }
  const run = runStep(c, { step: 1, iteration: 0, dueAt: at(10) })
  t.same(Object.fromEntries(run.reasons), { 'call-centre': 'reminder', 'user:usr_boss': 'unanswered' })
  t.same(run.next, { step: 1, iteration: 1, dueAt: at(40) })
})

t.test(
  'a one-step chain repeats its only step: there is always a reminder until someone acknowledges',
  async (t) => {
    const c: Chain = {
      ...chain,
      steps: stepsSchema.parse([{ name: 'only', targets: ['family'], waitSeconds: 5 }]),
    }
    const first = runStep(c, start(t0))
    t.equal(first.reasons.get('family'), 'alert')
    const second = runStep(c, first.next)
    t.equal(second.reasons.get('family'), 'reminder')
    t.same(second.next, { step: 0, iteration: 2, dueAt: at(10) })
  },
)

t.test('a chain snapshotted with more steps than it now has still runs its last step', async (t) => {
  const run = runStep(chain, { step: 9, iteration: 3, dueAt: at(1000) })
  t.equal(run.step.name, 'unanswered')
})

t.test('steps are validated', async (t) => {
  t.notOk(stepsSchema.safeParse([]).success, 'at least one step')
  t.notOk(
    stepsSchema.safeParse([{ name: 'x', targets: ['pager'], waitSeconds: 5 }]).success,
    'unknown target',
  )
  t.notOk(stepsSchema.safeParse([{ name: 'x', targets: ['family'], waitSeconds: 0 }]).success, 'wait ≥ 1 s')
  t.notOk(stepsSchema.safeParse([{ name: 'x', targets: [], waitSeconds: 5 }]).success, 'at least one target')
  t.ok(stepsSchema.safeParse([{ name: 'x', targets: [{ user: 'usr_1' }], waitSeconds: 5 }]).success)
})

t.test('the most specific policy wins: site before hub; type, then class, then any', async (t) => {
  const policies = [
    { id: 'hub-any', siteId: null, alertType: '*', alertClass: null },
    { id: 'hub-life', siteId: null, alertType: '*', alertClass: 'life-safety' as const },
    { id: 'hub-fire', siteId: null, alertType: '*', alertClass: 'fire' as const },
    { id: 'hub-sos', siteId: null, alertType: 'sos', alertClass: null },
    { id: 'site-any', siteId: 's1', alertType: '*', alertClass: null },
    { id: 'site-fall', siteId: 's1', alertType: 'fall', alertClass: null },
    { id: 'site-fire', siteId: 's1', alertType: '*', alertClass: 'fire' as const },
    { id: 'other-site', siteId: 's2', alertType: 'sos', alertClass: null },
  ]
  const table: [string | null, string, AlertClass, string][] = [
    ['s1', 'fall', 'life-safety', 'site-fall'],
    ['s1', 'sos', 'life-safety', 'site-any'],
    ['s1', 'smoke', 'fire', 'site-fire'],
    ['s3', 'sos', 'life-safety', 'hub-sos'],
    ['s3', 'bed-exit', 'life-safety', 'hub-life'],
    ['s3', 'gas', 'fire', 'hub-fire'],
    ['s3', 'fault', 'technical', 'hub-any'],
    [null, 'nobody-on-duty', 'technical', 'hub-any'],
    ['s2', 'sos', 'life-safety', 'other-site'],
  ]
  for (const [site, type, cls, expected] of table) {
    t.equal(
      choosePolicy(policies, site, type, cls)?.id,
      expected,
      `${site ?? 'no site'} / ${type} (${cls}) → ${expected}`,
    )
  }
})
