import type { AlertEffect } from '../alerting/effects.js'
import type { AlertWork } from '../alerting/work.js'
import { type AlertJson, alertJson } from '../contract/alert-json.js'
import type { Change } from '../core/alert-machine.js'
import { getAlert } from '../store/alerts.js'
import type { Tx } from '../store/db.js'
import { recordSetAside } from '../store/fire-signal-log.js'
import { isFireDevice, mayConcernCentres, signalFor, zoneKey } from './rules.js'
import { queueSignals, type SignalDevice, type SignalSite } from './signals.js'
import {
  recordAcknowledged,
  recordConfirmed,
  recordFalseAlarm,
  startVerification,
  type Windows,
  zoneNeighbour,
} from './verification.js'

// What an alert change means for the fire-monitoring centres, done in the change's own transaction (an
// effect of the alerting runner): a fire alarm's signal is queued, and its verification window started, in
// the transaction that opens the alert, so it is never later than the alarm and never lost between the two.
// Most changes can never concern a centre and are skipped before any database work.

export interface FireSignalDeps {
  windows: Windows
  /** after commit, when signals were queued: the outbox sends them */
  onQueued: () => void
  /** after commit, when a verification window started: the forwarder re-arms its timer */
  onWindowStarted: () => void
}

export interface Place {
  site: SignalSite & { kind: string }
  device: SignalDevice | null
}

export function fireSignalEffect(deps: FireSignalDeps): AlertEffect {
  return {
    name: 'fire signal',
    concerns: ({ alert }) => Boolean(alert.deviceId && alert.siteId) && mayConcernCentres(alert),
    async apply(work, changes) {
      const places = await placesOf(
        work.tx,
        changes.map((c) => c.alert),
      )
      for (const c of changes)
        await setAsideOnFailure(work, c, () => onChange(work, c, places.get(c.alert.id), deps))
    },
  }
}

/**
 * One change's signal under a savepoint of its own: if it cannot be built or queued, what it did is undone,
 * it is set aside with the reason (fire-event log, a delivery-failure alert) and the alarm itself and every
 * other change's signal go on, so one bad signal never holds back another.
 */
async function setAsideOnFailure(work: AlertWork, c: Change, fn: () => Promise<void>) {
  const mark = work.mark()
  await work.tx.query('SAVEPOINT fire_signal')
  try {
    await fn()
    await work.tx.query('RELEASE SAVEPOINT fire_signal')
  } catch (err) {
    await work.tx.query('ROLLBACK TO SAVEPOINT fire_signal')
    work.rewind(mark)
    const reason = err instanceof Error ? err.message : String(err)
    const { alert } = c
    await recordSetAside(work.tx, { siteId: alert.siteId!, alertId: alert.id, reason, at: work.now })
    work.raise({
      alertType: 'delivery-failure',
      siteId: alert.siteId,
      residentId: null,
      relatedAlertId: alert.id,
      data: { target: 'fire-centre', reason: `the fire signal could not be queued: ${reason}` },
    })
  }
}

async function onChange(work: AlertWork, c: Change, place: Place | undefined, deps: FireSignalDeps) {
  if (place?.site.kind !== 'institution' || !place.device) return
  const { tx, now } = work
  const alert = alertJson(c.alert)
  const fire = alert.priority === 1
  const last = alert.history.at(-1)
  if (fire && c.effect === 'opened') await opened(work, alert, place, deps)
  if (fire && last?.kind === 'acknowledged') await recordAcknowledged(tx, alert.id, new Date(last.at))
  if (fire && last?.kind === 'false-alarm') await recordFalseAlarm(tx, alert.id, now)
  const kind = signalFor(
    c.effect === 'opened' ? 'alert.opened' : 'alert.updated',
    alert,
    isFireDevice(place.device.type),
  )
  if (!kind) return
  // fire-confirmed goes once per zone: a second detector's confirmation adds nothing the centre needs
  if (kind === 'fire-confirmed' && !(await recordConfirmed(tx, alert.id, now))) return
  const sent = await queueSignals(tx, kind, alert, place.site, place.device, now)
  if (sent > 0) work.afterCommit.push(deps.onQueued)
  if (sent === 0 && kind === 'fire') {
    work.raise({
      alertType: 'no-usable-channel',
      siteId: alert.siteId,
      residentId: alert.residentId,
      relatedAlertId: alert.id,
      data: { target: 'fire-centre', reason: 'the institution has no monitoring centre registered' },
    })
  }
}

/** A new fire alarm: its verification window starts; a second detector in the zone confirms it. */
async function opened(work: AlertWork, alert: AlertJson, place: Place, deps: FireSignalDeps) {
  const { windows } = deps
  const openedAt = new Date(alert.openedAt)
  const zone = zoneKey(place.device!.location)
  await startVerification(work.tx, alert.id, place.site.id, zone, openedAt, windows)
  work.afterCommit.push(deps.onWindowStarted)
  if (!zone) return
  const since = new Date(openedAt.getTime() - windows.confirmMs)
  const other = await zoneNeighbour(work.tx, place.site.id, zone, alert.id, since)
  if (other) await confirmFire(work, alert.id, { how: 'a second detector in the zone', otherAlertId: other })
}

/** The hub confirms a fire (a second detector, or a verification window that ran out); at most once. */
export async function confirmFire(work: AlertWork, alertId: string, data: Record<string, unknown>) {
  // an alert opened or changed in this transaction is newer here than in the database
  const alert = work.latest(alertId) ?? (await getAlert(work.tx, alertId, true))
  if (alert) work.decide(alert, { kind: 'fire-mark', mark: 'fire-confirmed', actor: null, data })
}

/** Each alert's site and device, in one round trip. */
export async function placesOf(tx: Tx, alerts: Change['alert'][]): Promise<Map<string, Place>> {
  const { rows } = await tx.query<Place & { alert_id: string }>(
    `SELECT a.alert_id,
       json_build_object('id', s.id, 'name', s.name, 'address', s.address, 'lat', s.lat, 'lon', s.lon,
         'kind', s.kind) AS site,
       json_build_object('id', d.id, 'type', d.type, 'location', d.location) AS device
     FROM unnest($1::text[], $2::text[], $3::text[]) AS a(alert_id, site_id, device_id)
     JOIN sites s ON s.id = a.site_id LEFT JOIN devices d ON d.id = a.device_id`,
    [alerts.map((a) => a.id), alerts.map((a) => a.siteId), alerts.map((a) => a.deviceId)],
  )
  return new Map(rows.map((r) => [r.alert_id, { site: r.site, device: r.device?.id ? r.device : null }]))
}
