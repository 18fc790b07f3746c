import { decide, type HubAlertSource, isChange } from '../core/alert-machine.js'
import { lockActiveHubAlert } from '../store/alerts.js'
import type { AlertWork } from './work.js'

// Alerts the hub raises about itself, decided by the core like any other: a repeat while one is unresolved
// folds into it, so a receiver that is down for an hour is one alert with a count, not a storm.

/** Decides each raised source against its active alert (locked), adding the changes to the work. */
export async function decideHubAlerts(work: AlertWork, sources: HubAlertSource[]) {
  const decided = new Map<string, Parameters<typeof decide>[0]>()
  for (const source of sources) {
    const subject = source.relatedAlertId ?? source.siteId
    const key = `${source.alertType}\u0000${subject}`
    const active = decided.get(key) ?? (await lockActiveHubAlert(work.tx, source.alertType, subject))
    const d = decide(active, { kind: 'hub-alert', source, newId: work.newId('alr') }, work.now)
    if (!isChange(d)) continue
    decided.set(key, d.alert)
    work.changes.push(d)
  }
}
