import type { AlertClass } from '../../devices/index.js'
import type { AlertJson } from '../contract/alert-json.js'
import type { LiveMessage } from '../contract/live.js'
import type { Queryable } from '../store/db.js'
import type { User } from '../store/users.js'

// What a caller may see, resolved once per request (and once per live-feed socket) from its role, and handed
// to every query: routes never look at the role to decide what to read, so none can forget a narrowing.

export interface Scope {
  /** the sites whose sites, residents, devices, places, shifts and alerts the caller sees; undefined: all */
  siteIds?: string[]
  /** family: only these residents' alerts, and nothing else */
  residentIds?: string[]
  /** county-centre: only alerts of these classes */
  alertClasses?: AlertClass[]
}

export const everything: Scope = {}

/** Whether the scope leaves anything out. */
export const narrowed = (s: Scope) => Boolean(s.siteIds || s.residentIds || s.alertClasses)

/**
 * A county-centre watches every institution of its district as it is now (a new one is in at once); a family
 * sees its relatives' alerts and no site at all; staff and institution API keys see their sites.
 */
export async function resolveScope(
  db: Queryable,
  user: Pick<User, 'role' | 'siteIds' | 'district' | 'residentIds'>,
): Promise<Scope> {
  switch (user.role) {
    case 'staff':
      return { siteIds: user.siteIds }
    case 'county-centre': {
      const { rows } = await db.query<{ id: string }>(
        "SELECT id FROM sites WHERE kind = 'institution' AND district = $1",
        [user.district ?? ''],
      )
      return { siteIds: rows.map((r) => r.id), alertClasses: ['fire'] }
    }
    case 'family':
      // alarms only: technical alerts (a low battery, a contact with no channel) are the care team's work
      return { siteIds: [], residentIds: user.residentIds, alertClasses: ['life-safety', 'fire'] }
    default:
      return everything
  }
}

/** Whether something at `siteId` is visible (a site-less object is outside every narrowed scope). */
export function inScope(scope: Scope, siteId: string | null): boolean {
  return !scope.siteIds || (siteId !== null && scope.siteIds.includes(siteId))
}

/** The conditions an alert query adds: a family's alerts are named by resident, wherever they are. */
export function alertFilter(scope: Scope) {
  return {
    siteIds: scope.residentIds ? undefined : scope.siteIds,
    residentIds: scope.residentIds,
    alertClasses: scope.alertClasses,
  }
}

type ScopedAlert = Pick<AlertJson, 'siteId' | 'residentId' | 'alertClass'>

export function alertVisible(scope: Scope, a: ScopedAlert): boolean {
  const f = alertFilter(scope)
  return (
    (!f.siteIds || (a.siteId !== null && f.siteIds.includes(a.siteId))) &&
    (!f.residentIds || (a.residentId !== null && f.residentIds.includes(a.residentId))) &&
    (!f.alertClasses || f.alertClasses.includes(a.alertClass))
  )
}

/** An alert as this caller may read it: a family learns how it was handled, not the care team's notes. */
export function shownAlert<A extends Pick<AlertJson, 'history'>>(scope: Scope, a: A): A {
  if (!scope.residentIds) return a
  return { ...a, history: a.history.map((h) => ({ ...h, note: null })) }
}

/**
 * A live-feed message as this viewer may get it, or null. Narrow scopes (family, county-centre) get alert
 * messages only: notifications name other people's phone numbers, commands are the care team's.
 */
export function liveMessageFor(scope: Scope, m: LiveMessage): LiveMessage | null {
  if (!narrowed(scope)) return m
  if (m.kind === 'alert.opened' || m.kind === 'alert.updated') {
    return alertVisible(scope, m.data) ? { ...m, data: shownAlert(scope, m.data) } : null
  }
  if (scope.residentIds || scope.alertClasses) return null
  return inScope(scope, (m.data as { siteId?: string | null }).siteId ?? null) ? m : null
}
