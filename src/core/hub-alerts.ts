import { newId } from '../ids.js'
import { lockActiveHubAlert } from '../store/alerts.js'
import type { Queryable } from '../store/db.js'
import { decide, type HubAlertSource } from './alert-machine.js'
import { type Change, isChange } from './alert-writer.js'

// Alerts the hub raises about itself, decided by the core like any other: a repeat while one is unresolved
// folds into it, so a receiver that is down for an hour is one alert with a count, not a storm.

export const hubAlertTypes: ReadonlySet<string> = new Set([
  'delivery-failure',
  'no-usable-channel',
  'nobody-on-duty',
  'centre-link-down',
])

/** Decides each source against its active alert (locked); the caller persists the changes. */
export async function decideHubAlerts(q: Queryable, sources: HubAlertSource[], now: Date): Promise<Change[]> {
  const changes: Change[] = []
  const decided = new Map<string, Change['alert']>()
  for (const source of sources) {
    const subject = source.relatedAlertId ?? source.siteId
    const key = `${source.alertType}\u0000${subject}`
    const active = decided.get(key) ?? (await lockActiveHubAlert(q, source.alertType, subject))
    const d = decide(active, { kind: 'hub-alert', source, newId: newId('alr') }, now)
    if (!isChange(d)) continue
    decided.set(key, d.alert)
    changes.push(d)
  }
  return changes
}
