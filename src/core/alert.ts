import type { AlertClass, Priority } from '../../devices/index.js'

export type AlertState = 'open' | 'acknowledged' | 'resolved'

export const historyKinds = [
  'opened',
  'repeated',
  'cancelled',
  'cleared',
  'acknowledged',
  'resolved',
  // the route: an escalation step ran; a notification was confirmed or given up; a contact acknowledged
  'escalated',
  'notified',
  'delivery-failed',
  'contact-acknowledged',
  // fire verification: staff (or the hub, when a window runs out or a second detector alarms) confirm a fire
  // or mark a false alarm
  'fire-confirmed',
  'false-alarm',
  // what an operator did while handling the alert (called the resident, dispatched staff, …)
  'action',
  // an operator snoozed a technical alert: its escalation waits until `data.until`
  'snoozed',
] as const
export type HistoryKind = (typeof historyKinds)[number]

/** What an operator records having done about an alert (`action` history entries, `data.action`). */
export const alertActions = [
  'called-resident',
  'called-family',
  'dispatched-staff',
  'called-120',
  'called-119',
] as const
export type AlertAction = (typeof alertActions)[number]

export interface HistoryEntry {
  at: Date
  kind: HistoryKind
  /** the user who acted, or null for the device / the hub */
  actor: string | null
  note: string | null
  data: Record<string, unknown>
}

/** The event that opened an alert, as the alert carries it. */
export interface AlertEvent {
  id: string
  type: string
  state: 'alarm' | 'clear'
  ts: Date
  receivedAt: Date
  fields: Record<string, unknown>
}

export interface Alert {
  id: string
  type: string
  priority: Priority
  /** from the device definition's rule (hub-raised and offline alerts are technical); picks the default chain */
  alertClass: AlertClass
  /** the resident's GB/T 42195 level when the alert opened; orders alerts within a priority */
  abilityLevel: number
  state: AlertState
  siteId: string | null
  residentId: string | null
  deviceId: string | null
  relatedAlertId: string | null
  event: AlertEvent | null
  count: number
  /** the escalation reached a step marked unanswered before anyone acknowledged */
  unanswered: boolean
  openedAt: Date
  acknowledgedAt: Date | null
  acknowledgedBy: string | null
  resolvedAt: Date | null
  resolvedBy: string | null
  outcome: string | null
  history: HistoryEntry[]
}
