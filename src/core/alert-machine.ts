import type { AlertClass, AlertRule, Priority } from '../../devices/index.js'
import type { Alert, AlertAction, AlertEvent, HistoryEntry, HistoryKind } from './alert.js'

// The alert state machine: state + input + now → new state + effects. No I/O, no clock of its own; the
// runner loads the state, supplies ids and time, and performs the effects in one transaction.

export interface EventSource {
  siteId: string
  residentId: string | null
  deviceId: string
  abilityLevel: number
}

/** An alert the hub raises about itself (CONTRACT.md): no device; `relatedAlertId` when it concerns an alert. */
export interface HubAlertSource {
  alertType:
    | 'delivery-failure'
    | 'no-usable-channel'
    | 'nobody-on-duty'
    | 'centre-link-down'
    /** a special-difficulty resident with neither device data nor a visit for too long */
    | 'no-contact'
  siteId: string | null
  residentId: string | null
  relatedAlertId: string | null
  /** what went wrong, kept in the history entry */
  data: Record<string, unknown>
}

/** The alert types the hub raises about itself: their own gaps are recorded on them, never raised again. */
export const hubAlertTypes: ReadonlySet<string> = new Set([
  'delivery-failure',
  'no-usable-channel',
  'nobody-on-duty',
  'centre-link-down',
])

/** An alert a rule of src/rules/ raises from a resident's or a device's state (inactivity, flapping, …). */
export interface RuleAlertSource {
  alertType: string
  priority: Priority
  alertClass: AlertClass
  siteId: string
  residentId: string | null
  /** null for a rule about the resident (inactivity), else the device it concerns */
  deviceId: string | null
  abilityLevel: number
  /** what the rule saw, kept in the history entry */
  data: Record<string, unknown>
}

export type AlertInput =
  | { kind: 'device-event'; rule: AlertRule; event: AlertEvent; source: EventSource; newId: string }
  | { kind: 'hub-alert'; source: HubAlertSource; newId: string }
  | { kind: 'ack'; actor: string; note?: string }
  | { kind: 'resolve'; actor: string; outcome: string; note?: string }
  /** an operator records what was done (a call, a dispatch); the alert's state does not change */
  | { kind: 'action'; actor: string; action: AlertAction; note?: string }
  /** an escalation step ran: who was notified, and whether it marks the alert unanswered */
  | { kind: 'escalated'; data: Record<string, unknown>; unanswered: boolean }
  /** a family contact acknowledged through the link in a notification; the alert stays open */
  | { kind: 'contact-ack'; contact: string; data: Record<string, unknown> }
  /** a fire alarm confirmed or marked false (each at most once); `actor` null when the hub decided */
  | {
      kind: 'fire-mark'
      mark: 'fire-confirmed' | 'false-alarm'
      actor: string | null
      note?: string
      data: Record<string, unknown>
    }
  /** the hub has not heard from a device for too long (CONTRACT.md: offline is the hub's decision) */
  | { kind: 'device-silent'; source: EventSource; newId: string; lastSeen: Date | null }
  /** a rule's condition holds: opens its alert, or folds into the unresolved one as a repeat */
  | { kind: 'rule'; source: RuleAlertSource; newId: string }
  /** an operator snoozes a technical alert until `until` (its escalation waits; the alert stays open) */
  | { kind: 'snooze'; actor: string; until: Date; note?: string }

export type Decision =
  /** nothing to write (ignored event, nothing to cancel, an ack of an acknowledged alert) */
  | { effect: 'none'; alert: Alert | null }
  /** `folded`: an earlier repeat this change's entry replaces in the history (and the audit trail) */
  | { effect: 'opened' | 'updated'; alert: Alert; entries: HistoryEntry[]; folded?: HistoryEntry }
  | { effect: 'conflict'; alert: Alert; message: string }

/** A decision that writes something: the runner persists these. */
export type Change = Extract<Decision, { effect: 'opened' | 'updated' }>

export const isChange = (d: Decision): d is Change => d.effect === 'opened' || d.effect === 'updated'

const entry = (
  at: Date,
  kind: HistoryKind,
  actor: string | null,
  note?: string,
  data = {},
): HistoryEntry => ({
  at,
  kind,
  actor,
  note: note ?? null,
  data,
})

function updated(alert: Alert, changes: Partial<Alert>, e: HistoryEntry): Decision {
  return { effect: 'updated', alert: { ...alert, ...changes, history: [...alert.history, e] }, entries: [e] }
}

/**
 * A repeat folds into the alert's count. Its history keeps a bounded record of them: the first repeat and
 * the latest (which carries the count then), never one entry per repeat, so a device or receiver that
 * repeats for hours cannot grow an alert, or every feed message about it, without bound.
 */
function repeated(alert: Alert, now: Date, data: Record<string, unknown>): Decision {
  const count = alert.count + 1
  const e = entry(now, 'repeated', null, undefined, { ...data, count })
  const repeats = alert.history.filter((h) => h.kind === 'repeated')
  const folded = repeats.length >= 2 ? repeats.at(-1) : undefined
  const history = [...alert.history.filter((h) => h !== folded), e]
  return { effect: 'updated', alert: { ...alert, count, history }, entries: [e], ...(folded && { folded }) }
}

type Opening = Pick<
  Alert,
  'id' | 'type' | 'priority' | 'alertClass' | 'abilityLevel' | 'siteId' | 'residentId'
> &
  Pick<Alert, 'deviceId' | 'relatedAlertId' | 'event'>

function open(o: Opening, data: Record<string, unknown>, now: Date) {
  const e = entry(now, 'opened', null, undefined, data)
  const alert: Alert = {
    ...o,
    state: 'open',
    count: 1,
    unanswered: false,
    openedAt: now,
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
    resolvedBy: null,
    outcome: null,
    history: [e],
  }
  return { effect: 'opened', alert, entries: [e] } satisfies Decision
}

/** `active` is the device's unresolved alert of the rule's alert type, if any. */
function onDeviceEvent(
  active: Alert | null,
  input: Extract<AlertInput, { kind: 'device-event' }>,
  now: Date,
) {
  const { rule, event } = input
  if (rule.action === 'ignore') return { effect: 'none', alert: active } satisfies Decision
  const data = { eventId: event.id, eventType: event.type }
  if (rule.action === 'open' && event.state === 'alarm') {
    // a held-down alarm opens only once it has lasted (src/rules/hold-down.ts); its repeats fold as usual
    if (!active && rule.holdDownSeconds) return { effect: 'none', alert: null } satisfies Decision
    if (!active) {
      const { source } = input
      const opening = {
        id: input.newId,
        type: rule.alertType,
        priority: rule.priority,
        alertClass: rule.class,
        abilityLevel: source.abilityLevel,
        siteId: source.siteId,
        residentId: source.residentId,
        deviceId: source.deviceId,
        relatedAlertId: null,
        event,
      }
      return open(opening, { eventId: event.id }, now)
    }
    return repeated(active, now, data)
  }
  // cancel, clear, or an alarm type reported with state "clear": recorded; an operator still closes it
  if (!active) return { effect: 'none', alert: null } satisfies Decision
  return updated(
    active,
    {},
    entry(now, rule.action === 'cancel' ? 'cancelled' : 'cleared', null, undefined, data),
  )
}

/** Hub-raised alerts are technical (priority 3); a repeat while one is unresolved folds into it. */
function onHubAlert(active: Alert | null, input: Extract<AlertInput, { kind: 'hub-alert' }>, now: Date) {
  const { source } = input
  if (active) return repeated(active, now, source.data)
  const opening = {
    id: input.newId,
    type: source.alertType,
    priority: 3 as const,
    alertClass: 'technical' as const,
    abilityLevel: 0,
    siteId: source.siteId,
    residentId: source.residentId,
    deviceId: null,
    relatedAlertId: source.relatedAlertId,
    event: null,
  }
  return open(opening, source.data, now)
}

/** An offline alert is technical (priority 3); while one is unresolved, more silence changes nothing. */
function onSilent(active: Alert | null, input: Extract<AlertInput, { kind: 'device-silent' }>, now: Date) {
  if (active) return { effect: 'none', alert: active } satisfies Decision
  const { source } = input
  const opening = {
    id: input.newId,
    type: 'offline',
    priority: 3 as const,
    alertClass: 'technical' as const,
    abilityLevel: source.abilityLevel,
    siteId: source.siteId,
    residentId: source.residentId,
    deviceId: source.deviceId,
    relatedAlertId: null,
    event: null,
  }
  return open(opening, { lastSeen: input.lastSeen?.toISOString() ?? null }, now)
}

function onRule(active: Alert | null, input: Extract<AlertInput, { kind: 'rule' }>, now: Date) {
  const { source } = input
  if (active) return repeated(active, now, source.data)
  const opening = {
    id: input.newId,
    type: source.alertType,
    priority: source.priority,
    alertClass: source.alertClass,
    abilityLevel: source.abilityLevel,
    siteId: source.siteId,
    residentId: source.residentId,
    deviceId: source.deviceId,
    relatedAlertId: null,
    event: null,
  }
  return open(opening, source.data, now)
}

export function decide(alert: Alert | null, input: AlertInput, now: Date): Decision {
  if (input.kind === 'device-event') return onDeviceEvent(alert, input, now)
  if (input.kind === 'hub-alert') return onHubAlert(alert, input, now)
  if (input.kind === 'device-silent') return onSilent(alert, input, now)
  if (input.kind === 'rule') return onRule(alert, input, now)
  if (!alert) throw new Error(`${input.kind} needs an alert`)
  if (alert.state === 'resolved') {
    return { effect: 'conflict', alert, message: `alert ${alert.id} is already resolved` }
  }
  if (input.kind === 'escalated') {
    // a step that was due as the alert was acknowledged is not run: the ack stopped the chain
    if (alert.state !== 'open') return { effect: 'none', alert }
    const unanswered = alert.unanswered || input.unanswered
    return updated(alert, { unanswered }, entry(now, 'escalated', null, undefined, input.data))
  }
  if (input.kind === 'fire-mark') {
    if (alert.history.some((h) => h.kind === input.mark)) return { effect: 'none', alert }
    return updated(alert, {}, entry(now, input.mark, input.actor, input.note, input.data))
  }
  if (input.kind === 'contact-ack') {
    return updated(alert, {}, entry(now, 'contact-acknowledged', input.contact, undefined, input.data))
  }
  if (input.kind === 'snooze') {
    if (alert.alertClass !== 'technical') {
      return {
        effect: 'conflict',
        alert,
        message: `only technical alerts can be snoozed; ${alert.id} is ${alert.alertClass}`,
      }
    }
    const until = input.until.toISOString()
    return updated(alert, {}, entry(now, 'snoozed', input.actor, input.note, { until }))
  }
  if (input.kind === 'action') {
    return updated(alert, {}, entry(now, 'action', input.actor, input.note, { action: input.action }))
  }
  if (input.kind === 'ack') {
    if (alert.state === 'acknowledged') return { effect: 'none', alert }
    return updated(
      alert,
      { state: 'acknowledged', acknowledgedAt: now, acknowledgedBy: input.actor },
      entry(now, 'acknowledged', input.actor, input.note),
    )
  }
  return updated(
    alert,
    { state: 'resolved', resolvedAt: now, resolvedBy: input.actor, outcome: input.outcome },
    entry(now, 'resolved', input.actor, input.note, { outcome: input.outcome }),
  )
}

/** Which unresolved alert of a device an event concerns, or null when it concerns none. */
export function alertTypeOf(rule: AlertRule): string | null {
  return rule.action === 'ignore' ? null : rule.alertType
}
