import type { Alert, HistoryEntry } from '../core/alert.js'

// An alert as the API and the live feed show it (CONTRACT.md, "Alerts"); abilityLevel is an extension.

const iso = (d: Date | null) => (d ? d.toISOString() : null)

export function historyJson(h: HistoryEntry) {
  return { at: h.at.toISOString(), kind: h.kind, actor: h.actor, note: h.note, data: h.data }
}

export function alertJson(a: Alert) {
  return {
    id: a.id,
    type: a.type,
    priority: a.priority,
    alertClass: a.alertClass,
    abilityLevel: a.abilityLevel,
    state: a.state,
    siteId: a.siteId,
    residentId: a.residentId,
    deviceId: a.deviceId,
    relatedAlertId: a.relatedAlertId,
    event: a.event && {
      id: a.event.id,
      type: a.event.type,
      state: a.event.state,
      ts: a.event.ts.toISOString(),
      receivedAt: a.event.receivedAt.toISOString(),
      ...a.event.fields,
    },
    count: a.count,
    unanswered: a.unanswered,
    openedAt: a.openedAt.toISOString(),
    acknowledgedAt: iso(a.acknowledgedAt),
    acknowledgedBy: a.acknowledgedBy,
    resolvedAt: iso(a.resolvedAt),
    resolvedBy: a.resolvedBy,
    outcome: a.outcome,
    history: a.history.map(historyJson),
  }
}

export type AlertJson = ReturnType<typeof alertJson>
