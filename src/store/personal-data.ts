import type { Queryable } from './db.js'
import { falseAlarmOutcomes } from './stats.js'

// A resident's personal data: everything the hub holds about them (export), and its removal (erasure), which
// keeps their alerts for statistics without anything that names or describes a person. The retention sweep
// removes the same details from alerts resolved long ago.

type Row = Record<string, unknown>

/** Every row about the resident, table by table, as stored. */
export async function exportResident(q: Queryable, residentId: string, readingsMax: number) {
  const one = async (sql: string, args: unknown[]) => (await q.query<Row>(sql, args)).rows
  const [resident] = await one('SELECT * FROM residents WHERE id = $1', [residentId])
  if (!resident) return null
  // a device's secret hashes are the hub's, not the resident's
  const devices = (
    await one(
      `SELECT (SELECT jsonb_object_agg(k, v) FROM jsonb_each(to_jsonb(d)) AS e(k, v) WHERE k NOT LIKE '%secret%') AS d
       FROM devices d WHERE resident_id = $1 ORDER BY created_at, id`,
      [residentId],
    )
  ).map((r) => r.d as Row)
  const deviceIds = devices.map((d) => d.id)
  const alerts = await one('SELECT * FROM alerts WHERE resident_id = $1 ORDER BY opened_at, id', [residentId])
  const alertIds = alerts.map((a) => a.id)
  const readings = await one('SELECT * FROM readings WHERE device_id = ANY($1) ORDER BY ts DESC LIMIT $2', [
    deviceIds,
    readingsMax + 1,
  ])
  return {
    resident,
    visits: await one('SELECT * FROM visits WHERE resident_id = $1 ORDER BY at, id', [residentId]),
    devices,
    alerts,
    alertHistory: await one('SELECT * FROM alert_events WHERE alert_id = ANY($1) ORDER BY id', [alertIds]),
    notifications: await one('SELECT * FROM notifications WHERE alert_id = ANY($1) ORDER BY created_at, id', [
      alertIds,
    ]),
    events: await one('SELECT * FROM events WHERE device_id = ANY($1) ORDER BY received_at, seq', [
      deviceIds,
    ]),
    readings: readings.slice(0, readingsMax).reverse(),
    readingsTruncated: readings.length > readingsMax,
    accessLog: await one('SELECT * FROM audit_log WHERE resident_id = $1 ORDER BY id', [residentId]),
  }
}

/** Outcomes the hub itself writes, or the false-alarm family (one word): kept, as statistics read them. */
const codedOutcomes = ['restored', 'activity', 'visited', 'not-special-difficulty', 'false-alarm']

/**
 * Removes the personal details of these alerts: operators' notes and typed outcomes, the device's reading in the
 * event, family members' names and addresses in the history, the notifications and the escalation chain, and
 * their live-feed messages. Type, priority, site, device, times and who acted stay for statistics.
 */
export async function eraseAlertDetails(q: Queryable, alertIds: string[], now: Date) {
  if (alertIds.length === 0) return
  await q.query(
    `UPDATE alerts SET
       event = CASE WHEN event IS NULL THEN NULL ELSE jsonb_build_object('id', event->'id', 'type', event->'type',
         'state', event->'state', 'ts', event->'ts', 'receivedAt', event->'receivedAt') END,
       outcome = CASE WHEN outcome IS NULL THEN NULL
         WHEN lower(trim(outcome)) = ANY($2) THEN 'false-alarm'
         WHEN outcome = ANY($3) THEN outcome ELSE 'erased' END,
       details_erased_at = $4
     WHERE id = ANY($1)`,
    [alertIds, falseAlarmOutcomes, codedOutcomes, now],
  )
  // an actor who is not a user is a family member acknowledging through their link
  await q.query(
    `UPDATE alert_events SET note = NULL,
       actor = CASE WHEN actor = 'hub' OR actor IN (SELECT username FROM users) THEN actor ELSE NULL END,
       data = (SELECT coalesce(jsonb_object_agg(k, v), '{}') FROM jsonb_each(data) AS d(k, v)
               WHERE k IN ('action', 'eventType', 'count', 'channel', 'target', 'attempts'))
     WHERE alert_id = ANY($1)`,
    [alertIds],
  )
  await q.query(
    `UPDATE notifications SET state = CASE WHEN state = 'pending' THEN 'cancelled' ELSE state END,
       next_attempt_at = NULL, recipient = '{}', address = jsonb_build_object('channel', address->'channel'),
       message = '{}', last_error = NULL
     WHERE alert_id = ANY($1)`,
    [alertIds],
  )
  await q.query(
    `UPDATE notification_attempts SET error = NULL
     WHERE notification_id IN (SELECT id FROM notifications WHERE alert_id = ANY($1))`,
    [alertIds],
  )
  await q.query(
    `UPDATE alert_escalations SET chain = NULL, acked_contacts = '[]', next_due_at = NULL,
       stopped_reason = coalesce(stopped_reason, 'erased')
     WHERE alert_id = ANY($1)`,
    [alertIds],
  )
  await q.query(
    `UPDATE fire_verifications SET false_alarm_reason = CASE WHEN false_alarm_reason IS NULL THEN NULL ELSE 'erased' END
     WHERE alert_id = ANY($1)`,
    [alertIds],
  )
  // live-feed messages are kept 7 days for clients catching up; those about these alerts go now
  await q.query(`DELETE FROM feed WHERE data::text LIKE ANY($1)`, [alertIds.map((id) => `%"${id}"%`)])
}

/**
 * Erases the resident: their alerts keep only what statistics need (no resident), their visits, device events,
 * readings and refused payloads are deleted, their devices stay at the site unassigned, and the resident row
 * goes. The access audit keeps the resident's id (a random id that now names no one): it is append-only.
 */
export async function eraseResident(q: Queryable, residentId: string, now: Date) {
  const { rows } = await q.query<{ id: string }>('SELECT id FROM residents WHERE id = $1 FOR UPDATE', [
    residentId,
  ])
  if (rows.length === 0) return null
  const deviceIds = (
    await q.query<{ id: string }>('SELECT id FROM devices WHERE resident_id = $1', [residentId])
  ).rows.map((r) => r.id)
  const alertIds = (
    await q.query<{ id: string }>('SELECT id FROM alerts WHERE resident_id = $1 FOR UPDATE', [residentId])
  ).rows.map((r) => r.id)
  await eraseAlertDetails(q, alertIds, now)
  await q.query('UPDATE alerts SET resident_id = NULL WHERE id = ANY($1)', [alertIds])
  await q.query(`DELETE FROM feed WHERE data::text LIKE $1`, [`%"${residentId}"%`])
  const visits = await q.query('DELETE FROM visits WHERE resident_id = $1', [residentId])
  // the paid-channel budget names the resident and the numbers texted
  await q.query('DELETE FROM paid_sends WHERE resident_id = $1', [residentId])
  const events = await q.query('DELETE FROM events WHERE device_id = ANY($1)', [deviceIds])
  const readings = await q.query('DELETE FROM readings WHERE device_id = ANY($1)', [deviceIds])
  await q.query('DELETE FROM rejected_messages WHERE device_id = ANY($1)', [deviceIds])
  await q.query('UPDATE devices SET resident_id = NULL WHERE id = ANY($1)', [deviceIds])
  // family accounts lose the relative (their invites go with the resident)
  await q.query(
    'UPDATE users SET resident_ids = array_remove(resident_ids, $1) WHERE $1 = ANY(resident_ids)',
    [residentId],
  )
  await q.query('DELETE FROM residents WHERE id = $1', [residentId])
  return {
    alerts: alertIds.length,
    devices: deviceIds.length,
    visits: visits.rowCount ?? 0,
    events: events.rowCount ?? 0,
    readings: readings.rowCount ?? 0,
  }
}

/** Alerts resolved before `before` whose personal details are still kept, at most `limit`. */
export async function alertsPastRetention(q: Queryable, before: Date, limit: number): Promise<string[]> {
  const { rows } = await q.query<{ id: string }>(
    `SELECT id FROM alerts WHERE details_erased_at IS NULL AND state = 'resolved' AND resolved_at < $1
     ORDER BY resolved_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [before, limit],
  )
  return rows.map((r) => r.id)
}
