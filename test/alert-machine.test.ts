import t from 'tap'
import type { AlertRule } from '../devices/index.js'
import type { Alert, AlertState } from '../src/core/alert.js'
import { type AlertInput, decide } from '../src/core/alert-machine.js'

// Every transition of the pure alert core, driven by tables with an injected clock.

const t0 = new Date('2026-11-23T07:00:00.000Z')
const t1 = new Date('2026-11-23T07:01:00.000Z')

const source = { siteId: 'site_1', residentId: 'res_1', deviceId: 'dev_1', abilityLevel: 3 }
const open: AlertRule = { action: 'open', alertType: 'sos', priority: 2, class: 'life-safety' }
const cancel: AlertRule = { action: 'cancel', alertType: 'sos' }
const clear: AlertRule = { action: 'clear', alertType: 'fall' }
const ignore: AlertRule = { action: 'ignore', why: 'self-test' }

const deviceEvent = (rule: AlertRule, state: 'alarm' | 'clear' = 'alarm', id = 'e-2'): AlertInput => ({
  kind: 'device-event',
  rule,
  event: { id, type: 'sos', state, ts: t0, receivedAt: t0, fields: {} },
  source,
  newId: 'alr_new',
})

function alert(state: AlertState, extra: Partial<Alert> = {}): Alert {
  return {
    id: 'alr_1',
    type: 'sos',
    priority: 2,
    alertClass: 'life-safety',
    abilityLevel: 3,
    state,
    siteId: 'site_1',
    residentId: 'res_1',
    deviceId: 'dev_1',
    relatedAlertId: null,
    event: null,
    count: 1,
    unanswered: false,
    openedAt: t0,
    acknowledgedAt: state === 'open' ? null : t0,
    acknowledgedBy: state === 'open' ? null : 'op',
    resolvedAt: state === 'resolved' ? t0 : null,
    resolvedBy: state === 'resolved' ? 'op' : null,
    outcome: state === 'resolved' ? 'done' : null,
    history: [],
    ...extra,
  }
}

const ack: AlertInput = { kind: 'ack', actor: 'op2', note: 'on it' }
const hubAlert: AlertInput = {
  kind: 'hub-alert',
  source: {
    alertType: 'delivery-failure',
    siteId: 'site_1',
    residentId: null,
    relatedAlertId: 'alr_1',
    data: {},
  },
  newId: 'alr_new',
}
const escalated = (unanswered: boolean): AlertInput => ({
  kind: 'escalated',
  unanswered,
  data: { step: 'alert' },
})
const contactAck: AlertInput = { kind: 'contact-ack', contact: 'daughter', data: { contact: 0 } }
const fireMark = (mark: 'fire-confirmed' | 'false-alarm'): AlertInput => ({
  kind: 'fire-mark',
  mark,
  actor: null,
  data: {},
})
const silent: AlertInput = { kind: 'device-silent', source, newId: 'alr_new', lastSeen: t0 }
const rule: AlertInput = {
  kind: 'rule',
  source: {
    alertType: 'flapping',
    priority: 3,
    alertClass: 'technical',
    ...source,
    data: { toggles: 6 },
  },
  newId: 'alr_new',
}
const entryAt = (kind: 'fire-confirmed' | 'repeated') => ({ at: t0, kind, actor: null, note: null, data: {} })
const resolve: AlertInput = { kind: 'resolve', actor: 'op2', outcome: 'ambulance called', note: 'n' }

const table: {
  name: string
  from: Alert | null
  input: AlertInput
  effect: 'none' | 'opened' | 'updated' | 'conflict'
  state?: AlertState
  count?: number
  entry?: string
}[] = [
  {
    name: 'alarm with no active alert opens one',
    from: null,
    input: deviceEvent(open),
    effect: 'opened',
    state: 'open',
    count: 1,
    entry: 'opened',
  },
  {
    name: 'alarm on an open alert folds in',
    from: alert('open'),
    input: deviceEvent(open),
    effect: 'updated',
    state: 'open',
    count: 2,
    entry: 'repeated',
  },
  {
    name: 'alarm on an acknowledged alert folds in, stays acknowledged',
    from: alert('acknowledged'),
    input: deviceEvent(open),
    effect: 'updated',
    state: 'acknowledged',
    count: 2,
    entry: 'repeated',
  },
  {
    name: 'cancel on an open alert is recorded, alert stays open',
    from: alert('open'),
    input: deviceEvent(cancel),
    effect: 'updated',
    state: 'open',
    count: 1,
    entry: 'cancelled',
  },
  { name: 'cancel with nothing open does nothing', from: null, input: deviceEvent(cancel), effect: 'none' },
  {
    name: 'clear rule is recorded on the open alert',
    from: alert('open', { type: 'fall' }),
    input: deviceEvent(clear),
    effect: 'updated',
    state: 'open',
    entry: 'cleared',
  },
  {
    name: 'alarm type with state clear records a clear',
    from: alert('acknowledged'),
    input: deviceEvent(open, 'clear'),
    effect: 'updated',
    state: 'acknowledged',
    count: 1,
    entry: 'cleared',
  },
  {
    name: 'state clear with nothing open does nothing',
    from: null,
    input: deviceEvent(open, 'clear'),
    effect: 'none',
  },
  {
    name: 'an ignored event type does nothing',
    from: alert('open'),
    input: deviceEvent(ignore),
    effect: 'none',
  },
  {
    name: 'ack of an open alert',
    from: alert('open'),
    input: ack,
    effect: 'updated',
    state: 'acknowledged',
    entry: 'acknowledged',
  },
  {
    name: 'ack of an acknowledged alert changes nothing',
    from: alert('acknowledged'),
    input: ack,
    effect: 'none',
    state: 'acknowledged',
  },
  {
    name: 'ack of a resolved alert is a conflict',
    from: alert('resolved'),
    input: ack,
    effect: 'conflict',
    state: 'resolved',
  },
  {
    name: 'resolve from open',
    from: alert('open'),
    input: resolve,
    effect: 'updated',
    state: 'resolved',
    entry: 'resolved',
  },
  {
    name: 'resolve from acknowledged',
    from: alert('acknowledged'),
    input: resolve,
    effect: 'updated',
    state: 'resolved',
    entry: 'resolved',
  },
  {
    name: 'resolve of a resolved alert is a conflict',
    from: alert('resolved'),
    input: resolve,
    effect: 'conflict',
    state: 'resolved',
  },
  {
    name: 'a hub-raised problem opens a technical alert',
    from: null,
    input: hubAlert,
    effect: 'opened',
    entry: 'opened',
  },
  {
    name: 'a hub-raised problem folds into its unresolved alert',
    from: alert('open', { type: 'delivery-failure' }),
    input: hubAlert,
    effect: 'updated',
    count: 2,
    entry: 'repeated',
  },
  {
    name: 'an escalation step on an open alert is recorded',
    from: alert('open'),
    input: escalated(false),
    effect: 'updated',
    state: 'open',
    entry: 'escalated',
  },
  {
    name: 'a step due as the alert was acknowledged is not run',
    from: alert('acknowledged'),
    input: escalated(true),
    effect: 'none',
  },
  {
    name: 'a step on a resolved alert is a conflict',
    from: alert('resolved'),
    input: escalated(false),
    effect: 'conflict',
  },
  {
    name: 'a family contact acknowledges; the alert stays open',
    from: alert('open'),
    input: contactAck,
    effect: 'updated',
    state: 'open',
    entry: 'contact-acknowledged',
  },
  {
    name: 'a fire is confirmed',
    from: alert('acknowledged', { priority: 1, type: 'smoke' }),
    input: fireMark('fire-confirmed'),
    effect: 'updated',
    state: 'acknowledged',
    entry: 'fire-confirmed',
  },
  {
    name: 'a fire is confirmed at most once',
    from: alert('open', { priority: 1, type: 'smoke', history: [entryAt('fire-confirmed')] }),
    input: fireMark('fire-confirmed'),
    effect: 'none',
  },
  {
    name: 'a false alarm is marked',
    from: alert('open', { priority: 1, type: 'smoke' }),
    input: fireMark('false-alarm'),
    effect: 'updated',
    entry: 'false-alarm',
  },
  {
    name: 'an operator records an action; the state stays',
    from: alert('acknowledged'),
    input: { kind: 'action', actor: 'op2', action: 'called-family', note: 'daughter on her way' },
    effect: 'updated',
    state: 'acknowledged',
    entry: 'action',
  },
  {
    name: 'no action on a resolved alert',
    from: alert('resolved'),
    input: { kind: 'action', actor: 'op2', action: 'called-120' },
    effect: 'conflict',
  },
  {
    name: 'a silent device opens an offline alert',
    from: null,
    input: silent,
    effect: 'opened',
    entry: 'opened',
  },
  {
    name: 'more silence while offline changes nothing',
    from: alert('open', { type: 'offline' }),
    input: silent,
    effect: 'none',
  },
  {
    name: 'a held-down alarm opens nothing by itself (the rules engine opens it once it lasts)',
    from: null,
    input: deviceEvent({
      action: 'open',
      alertType: 'leak',
      priority: 3,
      class: 'technical',
      holdDownSeconds: 120,
    }),
    effect: 'none',
  },
  {
    name: 'a held-down alarm folds into its open alert',
    from: alert('open', { type: 'leak', alertClass: 'technical' }),
    input: deviceEvent({
      action: 'open',
      alertType: 'leak',
      priority: 3,
      class: 'technical',
      holdDownSeconds: 120,
    }),
    effect: 'updated',
    entry: 'repeated',
    count: 2,
  },
  {
    name: 'a rule opens its alert',
    from: null,
    input: rule,
    effect: 'opened',
    entry: 'opened',
  },
  {
    name: 'a rule firing again folds into its unresolved alert',
    from: alert('open', { type: 'flapping', alertClass: 'technical' }),
    input: rule,
    effect: 'updated',
    entry: 'repeated',
    count: 2,
  },
  {
    name: 'an operator snoozes a technical alert',
    from: alert('open', { type: 'offline', alertClass: 'technical' }),
    input: { kind: 'snooze', actor: 'op1', until: t1 },
    effect: 'updated',
    entry: 'snoozed',
  },
  {
    name: 'a life-safety alert cannot be snoozed',
    from: alert('open'),
    input: { kind: 'snooze', actor: 'op1', until: t1 },
    effect: 'conflict',
  },
]

t.test('every input kind has a row in the table', async (t) => {
  const kinds = new Set(table.map((r) => r.input.kind))
  // a Record over the union: a new input kind fails the typecheck until it is listed here (and given rows)
  const every: Record<AlertInput['kind'], true> = {
    'device-event': true,
    'hub-alert': true,
    ack: true,
    resolve: true,
    action: true,
    escalated: true,
    'contact-ack': true,
    'fire-mark': true,
    'device-silent': true,
    rule: true,
    snooze: true,
  }
  t.same(
    Object.keys(every).filter((k) => !kinds.has(k as AlertInput['kind'])),
    [],
  )
})

for (const row of table) {
  t.test(row.name, async (t) => {
    const before = row.from && structuredClone(row.from)
    const d = decide(row.from, row.input, t1)
    t.equal(d.effect, row.effect)
    if (row.state) t.equal(d.alert?.state, row.state)
    if (row.count) t.equal(d.alert?.count, row.count)
    if (d.effect === 'opened' || d.effect === 'updated') {
      t.equal(d.entries.length, 1)
      t.equal(d.entries[0]!.kind, row.entry)
      t.same(d.entries[0]!.at, t1, 'the entry carries the injected time')
      t.same(d.alert.history.at(-1), d.entries[0], 'the entry is appended to the history')
    }
    t.same(row.from, before, 'the input state is not mutated')
  })
}

t.test('an opened alert carries the source, rule priority and the time given', async (t) => {
  const d = decide(null, deviceEvent({ action: 'open', alertType: 'smoke', priority: 1, class: 'fire' }), t1)
  if (d.effect !== 'opened') throw new Error('expected opened')
  t.match(d.alert, {
    id: 'alr_new',
    type: 'smoke',
    priority: 1,
    alertClass: 'fire',
    abilityLevel: 3,
    siteId: 'site_1',
    residentId: 'res_1',
    deviceId: 'dev_1',
    openedAt: t1,
  })
  t.equal(d.alert.event?.id, 'e-2')
})

t.test('ack and resolve record who, when, note and outcome', async (t) => {
  const acked = decide(alert('open'), ack, t1)
  t.match(acked.alert, { acknowledgedAt: t1, acknowledgedBy: 'op2' })
  if (acked.effect === 'updated') t.equal(acked.entries[0]!.note, 'on it')
  const resolved = decide(acked.alert, resolve, t1)
  t.match(resolved.alert, {
    resolvedAt: t1,
    resolvedBy: 'op2',
    outcome: 'ambulance called',
    acknowledgedBy: 'op2',
  })
})

t.test(
  '20 repeats fold into the count; the history keeps the first and the latest, not 20 entries',
  async (t) => {
    let current = alert('open', { history: [{ ...entryAt('repeated'), kind: 'opened' as const }] })
    const folded = []
    for (let i = 0; i < 20; i++) {
      const d = decide(current, deviceEvent(open, 'alarm', `e-${i}`), new Date(t1.getTime() + i * 1000))
      if (d.effect !== 'updated') throw new Error('expected updated')
      if (d.folded) folded.push(d.folded)
      current = d.alert
    }
    t.equal(current.count, 21)
    t.same(
      current.history.map((h) => h.kind),
      ['opened', 'repeated', 'repeated'],
    )
    t.match(current.history[1], { data: { eventId: 'e-0', count: 2 } }, 'the first repeat')
    t.match(current.history[2], { data: { eventId: 'e-19', count: 21 }, at: new Date(t1.getTime() + 19_000) })
    t.equal(folded.length, 18, 'each repeat after the second replaces the latest one')
  },
)

t.test('a folded repeat stays after entries that came between', async (t) => {
  let current = alert('open')
  for (const input of [deviceEvent(open), deviceEvent(open), ack, deviceEvent(open)])
    current = decide(current, input, t1).alert!
  t.same(
    current.history.map((h) => h.kind),
    ['repeated', 'acknowledged', 'repeated'],
    'the history stays in time order',
  )
  t.equal(current.count, 4)
})

t.test('ack or resolve without an alert is a programming error', async (t) => {
  t.throws(() => decide(null, ack, t1))
})
