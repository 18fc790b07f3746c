import type { AlertJson } from '../contract/alert-json.js'
import { newId } from '../ids.js'
import { centresOf } from '../store/centres.js'
import type { Queryable } from '../store/db.js'
import { insertNotifications, type NewNotification } from '../store/notifications.js'
import { onDutyAt } from '../store/people.js'
import type { FireSignal, SignalKind } from './signal.js'

// Fire signals as outbox rows: one per centre of the site, critical (retried until receipt, never cancelled by
// an acknowledgement), the messageId the notification's own id. Heartbeats supervise each centre's link.

export interface SignalSite {
  id: string
  name: string
  address: string
  lat: number | null
  lon: number | null
}

export interface SignalDevice {
  id: string
  type: string
  location: Record<string, string | undefined>
}

const NOMINAL_DEADLINE_MS = 86_400_000

function row(
  centre: { id: string; name: string; url: string; secret: string | null },
  signal: Omit<FireSignal, 'messageId'>,
  alertId: string | null,
  critical: boolean,
  now: Date,
  deadlineMs: number,
): NewNotification {
  const id = newId('sig')
  return {
    id,
    alertId,
    siteId: signal.site.id,
    step: 0,
    stepName: signal.kind,
    iteration: 0,
    reason: 'signal',
    target: 'fire-centre',
    recipient: { name: centre.name, language: 'zh-CN', centreId: centre.id },
    channel: 'centre',
    address: { channel: 'centre', url: centre.url, ...(centre.secret && { secret: centre.secret }) },
    message: { messageId: id, ...signal },
    critical,
    createdAt: now,
    deadlineAt: new Date(now.getTime() + deadlineMs),
    delivered: false,
  }
}

async function onDuty(q: Queryable, siteId: string, at: Date) {
  return (await onDutyAt(q, siteId, at)).map((p) => ({ name: p.name, phone: p.phone }))
}

function eventLocation(alert: AlertJson): Record<string, string | undefined> | null {
  const l = (alert.event as { location?: unknown } | null)?.location
  return l && typeof l === 'object' ? (l as Record<string, string | undefined>) : null
}

/** Queues `kind` about an alert to every centre of its site; returns how many (0: the site has none). */
export async function queueSignals(
  q: Queryable,
  kind: SignalKind,
  alert: AlertJson,
  site: SignalSite,
  device: SignalDevice | null,
  now: Date,
): Promise<number> {
  const centres = await centresOf(q, site.id)
  if (centres.length === 0) return 0
  // a panel behind a GB/T 26875.3 UITD names the component's place in the event (devices/uitd.ts)
  const loc = eventLocation(alert) ?? device?.location ?? {}
  const signal: Omit<FireSignal, 'messageId'> = {
    kind,
    site,
    location: {
      building: loc.building ?? null,
      floor: loc.floor ?? null,
      zone: loc.zone ?? null,
      room: loc.room ?? null,
    },
    device: device && { id: device.id, type: device.type },
    alertId: alert.id,
    deviceTime: alert.event?.ts ?? null,
    hubTime: now.toISOString(),
    onDuty: await onDuty(q, site.id, now),
    note: alert.history.at(-1)?.note ?? null,
  }
  await insertNotifications(
    q,
    centres.map((c) => row(c, signal, alert.id, true, now, NOMINAL_DEADLINE_MS)),
  )
  return centres.length
}

/**
 * Queues a heartbeat to every centre whose link check is due, claimed SKIP LOCKED so two hubs send one.
 * A heartbeat is not retried past the next one: its failure marks the link down.
 */
export async function queueHeartbeats(q: Queryable, everyMs: number, now: Date): Promise<number> {
  const { rows } = await q.query<{
    id: string
    name: string
    url: string
    secret: string | null
    site: SignalSite
  }>(
    `UPDATE monitoring_centres c SET next_heartbeat_at = $2 + $1 * interval '1 millisecond'
     FROM (SELECT c2.id FROM monitoring_centres c2 WHERE c2.next_heartbeat_at <= $2
           ORDER BY c2.next_heartbeat_at LIMIT 100 FOR UPDATE SKIP LOCKED) due, sites s
     WHERE c.id = due.id AND s.id = c.site_id
     RETURNING c.id, c.name, c.url, c.secret,
       json_build_object('id', s.id, 'name', s.name, 'address', s.address, 'lat', s.lat, 'lon', s.lon) AS site`,
    [everyMs, now],
  )
  const signals = []
  for (const c of rows) {
    const signal = {
      kind: 'heartbeat' as const,
      site: c.site,
      location: { building: null, floor: null, zone: null, room: null },
      device: null,
      alertId: null,
      deviceTime: null,
      hubTime: now.toISOString(),
      onDuty: await onDuty(q, c.site.id, now),
      note: null,
    }
    signals.push(row(c, signal, null, false, now, everyMs))
  }
  await insertNotifications(q, signals)
  return signals.length
}

export async function nextHeartbeatDue(q: Queryable): Promise<Date | null> {
  const { rows } = await q.query<{ due: Date | null }>(
    'SELECT min(next_heartbeat_at) AS due FROM monitoring_centres',
  )
  return rows[0]?.due ?? null
}
