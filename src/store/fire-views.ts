import { fireSafetyTypes } from '../../devices/index.js'
import type { Queryable } from './db.js'
import type { Location } from './places.js'

// What an institution's fire-safety views read: its detectors with their unresolved alerts, and its
// fire-event log (detector events, alert transitions, commands, signals set aside or cancelled) in time order.

type Row = Record<string, unknown>

export async function detectorRows(
  q: Queryable,
  siteId: string,
  limit: number,
  after?: { c: string; id: string },
) {
  const { rows } = await q.query<Row>(
    `SELECT d.*, coalesce((
       SELECT json_agg(json_build_object('id', a.id, 'type', a.type, 'priority', a.priority, 'state', a.state)
         ORDER BY a.priority, a.opened_at)
       FROM alerts a WHERE a.device_id = d.id AND a.state <> 'resolved'), '[]') AS alerts
     FROM devices d WHERE d.site_id = $1 AND d.type = ANY($2::text[])
       AND ($3::timestamptz IS NULL OR (d.created_at, d.id) > ($3, $4))
     ORDER BY d.created_at, d.id LIMIT $5`,
    [siteId, fireSafetyTypes, after?.c ?? null, after?.id ?? null, limit + 1],
  )
  const last = rows[limit - 1]
  const next =
    rows.length > limit && last
      ? { c: (last.created_at as Date).toISOString(), id: last.id as string }
      : undefined
  return { rows: rows.slice(0, limit), next }
}

export interface FireEvent {
  at: string
  /**
   * `device`: an event the detector sent; `alert`: a transition of an alert; `command`: a command sent;
   * `signal`: a fire signal set aside (it could not be queued), queued again by staff, or cancelled (its centre
   * was deleted)
   */
  source: 'device' | 'alert' | 'command' | 'signal'
  /** the event type, the alert transition (opened, acknowledged, …) or the command */
  kind: string
  /** the event's state (alarm / clear) or the command's; null for alert transitions */
  state: string | null
  deviceId: string | null
  deviceType: string | null
  location: Location | null
  alertId: string | null
  alertType: string | null
  actor: string | null
  note: string | null
}

export interface FireEventCursor {
  at: string
  key: string
}

// Each source's rows carry a unique `key` (the sort tie-break and the cursor); times are compared at
// millisecond precision, the precision cursors carry. Hub-raised alerts of the site (no device: nobody on
// duty, delivery failures, link loss) belong to the log as well.
const SQL = `
SELECT * FROM (
  SELECT e.received_at AS at, 'device' AS source, e.type AS kind, e.state, e.device_id, d.type AS device_type,
    d.location, NULL AS alert_id, NULL AS alert_type, NULL AS actor, e.payload->>'detail' AS note,
    '1:' || lpad(e.seq::text, 19, '0') AS key
  FROM events e JOIN devices d ON d.id = e.device_id
  WHERE d.site_id = $1 AND d.type = ANY($2::text[]) AND e.received_at >= $3 AND e.received_at < $4
  UNION ALL
  SELECT ae.at, 'alert', ae.kind, NULL, a.device_id, d.type, d.location, a.id, a.type, ae.actor, ae.note,
    '2:' || lpad(ae.id::text, 19, '0')
  FROM alert_events ae JOIN alerts a ON a.id = ae.alert_id LEFT JOIN devices d ON d.id = a.device_id
  WHERE a.site_id = $1 AND (a.device_id IS NULL OR d.type = ANY($2::text[])) AND ae.at >= $3 AND ae.at < $4
  UNION ALL
  SELECT c.sent_at, 'command', c.cmd, c.state, c.device_id, d.type, d.location, NULL, NULL, c.requested_by,
    c.result->>'detail', '0:' || c.id
  FROM device_commands c JOIN devices d ON d.id = c.device_id
  WHERE c.site_id = $1 AND c.sent_at >= $3 AND c.sent_at < $4
  UNION ALL
  SELECT l.at, 'signal', l.kind, NULL, a.device_id, d.type, d.location, l.alert_id, a.type, l.actor, l.reason,
    '3:' || lpad(l.id::text, 19, '0')
  FROM fire_signal_log l LEFT JOIN alerts a ON a.id = l.alert_id LEFT JOIN devices d ON d.id = a.device_id
  WHERE l.site_id = $1 AND l.at >= $3 AND l.at < $4
) log
WHERE $5::timestamptz IS NULL OR (date_trunc('milliseconds', at), key) > ($5, $6)
ORDER BY date_trunc('milliseconds', at), key
LIMIT $7`

export async function fireEvents(
  q: Queryable,
  siteId: string,
  range: { from: Date; to: Date },
  limit: number,
  after?: FireEventCursor,
) {
  const { rows } = await q.query<Row>(SQL, [
    siteId,
    fireSafetyTypes,
    range.from,
    range.to,
    after?.at ?? null,
    after?.key ?? null,
    limit + 1,
  ])
  const items: FireEvent[] = rows.slice(0, limit).map((r) => ({
    at: (r.at as Date).toISOString(),
    source: r.source as FireEvent['source'],
    kind: r.kind as string,
    state: r.state as string | null,
    deviceId: r.device_id as string | null,
    deviceType: r.device_type as string | null,
    location: r.location as Location | null,
    alertId: r.alert_id as string | null,
    alertType: r.alert_type as string | null,
    actor: r.actor as string | null,
    note: r.note as string | null,
  }))
  const last = rows[limit - 1]
  const next = rows.length > limit && last ? { at: items.at(-1)!.at, key: last.key as string } : undefined
  return { items, next }
}
