import t from 'tap'
import type { AlertRule } from '../devices/index.js'
import type { Alert, AlertState } from '../src/core/alert.js'
import { type AlertInput, decide } from '../src/core/alert-machine.js'

// Every transition of the pure alert core, driven by tables with an injected clock.

const t0 = new Date('2026-11-23T07:00:00.000Z')
const t1 = new Date('2026-11-23T07:01:00.000Z')

const source = { siteId: 'site_1', residentId: 'res_1', deviceId: 'dev_1', abilityLevel: 3 }
const open: AlertRule = { action: 'open', alertType: 'sos', priority: 2 }
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
]

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
  const d = decide(null, deviceEvent({ action: 'open', alertType: 'smoke', priority: 1 }), t1)
  if (d.effect !== 'opened') throw new Error('expected opened')
  t.match(d.alert, {
    id: 'alr_new',
    type: 'smoke',
    priority: 1,
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

t.test('ack or resolve without an alert is a programming error', async (t) => {
  t.throws(() => decide(null, ack, t1))
})
