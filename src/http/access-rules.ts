import type { Role } from '../store/users.js'

// Who may call each API route (README, "Roles"), in one table the auth layer enforces for every route under
// /api/v1. A route missing here answers 403 to everyone, and test/access-matrix.test.ts, which walks the
// app's route table, fails naming it. What each role then sees inside a route is its scope (scope.ts).

/** The care team: the four institution and call-centre roles. */
const careTeam: Role[] = ['admin', 'supervisor', 'operator', 'staff']
/** The care team and the county fire-safety centre, which reads fire state only. */
const fireWatch: Role[] = [...careTeam, 'county-centre']
/** Every signed-in role: what each sees is narrowed by its scope. */
const everyone: Role[] = [...fireWatch, 'family']
const admins: Role[] = ['admin']
const leads: Role[] = ['admin', 'supervisor']

export type Rule = 'public' | readonly Role[]

export const accessRules: Record<string, Rule> = {
  'POST /api/v1/auth/login': 'public',
  'POST /api/v1/auth/join': 'public',
  'GET /api/v1/auth/me': everyone,
  'POST /api/v1/auth/logout': everyone,
  'POST /api/v1/auth/password': everyone,
  'GET /api/v1/console/config': everyone,

  // the external MQTT cluster: its own bearer (HUB_BROKER_AUTH_TOKEN), checked by the routes
  'POST /api/v1/broker/auth': 'public',
  'POST /api/v1/broker/acl': 'public',

  'GET /api/v1/family-ack/:token': 'public',
  'POST /api/v1/family-ack/:token': 'public',

  'POST /api/v1/sites': admins,
  'GET /api/v1/sites': fireWatch,
  'GET /api/v1/sites/:id': fireWatch,
  'PATCH /api/v1/sites/:id': admins,
  'DELETE /api/v1/sites/:id': admins,

  'POST /api/v1/residents': admins,
  'GET /api/v1/residents': careTeam,
  'GET /api/v1/residents/:id': careTeam,
  'PATCH /api/v1/residents/:id': admins,
  'DELETE /api/v1/residents/:id': admins,
  'POST /api/v1/residents/:id/family-invites': careTeam,
  'POST /api/v1/residents/:id/visits': careTeam,
  'GET /api/v1/residents/:id/visits': careTeam,
  'GET /api/v1/stats/visits': careTeam,

  'POST /api/v1/devices': admins,
  'GET /api/v1/devices': careTeam,
  'GET /api/v1/devices/:id': careTeam,
  'PATCH /api/v1/devices/:id': admins,
  'DELETE /api/v1/devices/:id': admins,
  'POST /api/v1/devices/:id/secret': admins,
  'POST /api/v1/devices/:id/revoke': admins,
  'GET /api/v1/devices/:id/readings': careTeam,
  'GET /api/v1/devices/:id/readings/latest': careTeam,
  'GET /api/v1/readings/latest': careTeam,
  'GET /api/v1/stats/device-health': careTeam,
  'GET /api/v1/devices/:id/rejected': careTeam,
  'POST /api/v1/devices/:id/commands': careTeam,
  'GET /api/v1/devices/:id/commands': careTeam,
  'POST /api/v1/sites/:id/devices/import': admins,

  'GET /api/v1/alerts': everyone,
  'GET /api/v1/alerts/:id': everyone,
  'GET /api/v1/alerts/:id/notifications': careTeam,
  'POST /api/v1/alerts/:id/ack': careTeam,
  'POST /api/v1/alerts/:id/actions': careTeam,
  'POST /api/v1/alerts/:id/resolve': careTeam,
  'POST /api/v1/alerts/:id/snooze': careTeam,
  'POST /api/v1/alerts/:id/confirm-fire': careTeam,
  'POST /api/v1/alerts/:id/false-alarm': careTeam,
  'POST /api/v1/alerts/:id/resend-fire-signal': careTeam,

  'POST /api/v1/escalation-policies': leads,
  'GET /api/v1/escalation-policies': careTeam,
  'GET /api/v1/escalation-policies/:id': careTeam,
  'PATCH /api/v1/escalation-policies/:id': leads,
  'DELETE /api/v1/escalation-policies/:id': leads,

  'POST /api/v1/sites/:id/monitoring-centres': leads,
  'GET /api/v1/sites/:id/monitoring-centres': careTeam,
  'GET /api/v1/sites/:id/monitoring-centres/:centreId': careTeam,
  'PATCH /api/v1/sites/:id/monitoring-centres/:centreId': leads,
  'DELETE /api/v1/sites/:id/monitoring-centres/:centreId': leads,

  'POST /api/v1/sites/:id/places': admins,
  'GET /api/v1/sites/:id/places': fireWatch,
  'GET /api/v1/sites/:id/places/:placeId': fireWatch,
  'PATCH /api/v1/sites/:id/places/:placeId': admins,
  'DELETE /api/v1/sites/:id/places/:placeId': admins,
  'GET /api/v1/sites/:id/detectors': fireWatch,
  'GET /api/v1/sites/:id/fire-events': fireWatch,
  'GET /api/v1/sites/:id/fire-events.csv': fireWatch,

  'POST /api/v1/users': admins,
  'GET /api/v1/users': leads,
  'GET /api/v1/users/:id': leads,
  'PATCH /api/v1/users/:id': admins,

  'POST /api/v1/sites/:id/shifts': leads,
  'GET /api/v1/sites/:id/shifts': careTeam,
  'GET /api/v1/sites/:id/shifts/:shiftId': careTeam,
  'PATCH /api/v1/sites/:id/shifts/:shiftId': leads,
  'DELETE /api/v1/sites/:id/shifts/:shiftId': leads,
  'GET /api/v1/sites/:id/on-duty': careTeam,

  'GET /api/v1/stats/alerts': careTeam,
  'GET /api/v1/stats/response': careTeam,
  'GET /api/v1/stats/false-alarms': careTeam,

  'GET /api/v1/residents/:id/export': admins,
  'POST /api/v1/residents/:id/erase': admins,
  'GET /api/v1/audit': admins,

  'POST /api/v1/mqtt-accounts': admins,
  'GET /api/v1/mqtt-accounts': admins,
  'GET /api/v1/mqtt-accounts/:id': admins,
  'PATCH /api/v1/mqtt-accounts/:id': admins,
  'DELETE /api/v1/mqtt-accounts/:id': admins,
  'POST /api/v1/mqtt-accounts/:id/secret': admins,

  'POST /api/v1/api-keys': admins,
  'GET /api/v1/api-keys': admins,
  'DELETE /api/v1/api-keys/:id': admins,

  'POST /api/v1/sites/:id/uitds': admins,
  'GET /api/v1/sites/:id/uitds': careTeam,
  'POST /api/v1/sites/:id/uitds/:uitdId/components': admins,
  'GET /api/v1/sites/:id/uitds/:uitdId/components': careTeam,
  // signed by the platform with ONENET_PUSH_TOKEN, checked by the route itself
  'GET /api/v1/ingest/onenet': 'public',
  'POST /api/v1/ingest/onenet': 'public',
}

/** The rule for a route as Fastify registers it (HEAD follows GET), or undefined: none written yet. */
export function accessRule(method: string, url: string): Rule | undefined {
  return accessRules[`${method === 'HEAD' ? 'GET' : method} ${url}`]
}
