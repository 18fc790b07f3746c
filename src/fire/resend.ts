import { alertJson } from '../contract/alert-json.js'
import { HubError, notFound } from '../errors.js'
import { getAlert } from '../store/alerts.js'
import { type Db, withTransaction } from '../store/db.js'
import { recordResent, setAsideSinceResend } from '../store/fire-signal-log.js'
import { isFireDevice } from './rules.js'
import type { SignalKind } from './signal.js'
import { placesOf } from './signal-effect.js'
import { queueSignals } from './signals.js'

// A fire signal set aside (it could not be built or queued, signal-effect.ts) never reached the centres. Once
// staff have fixed the cause they queue it again: the signal of the alarm's standing now (a fire, or their
// confirmation or false alarm), to every centre of the institution, logged in the fire-event log with who asked.
// Only while the alarm is not resolved: a late "fire" about a fire that is over would start a response.

export interface Resent {
  kind: SignalKind
  centres: number
}

const conflict = (message: string) => new HubError('HUB_ERR_CONFLICT', message)

export async function resendFireSignal(
  db: Db,
  alertId: string,
  actor: string,
  visible: (siteId: string) => boolean,
  now = new Date(),
): Promise<Resent> {
  return withTransaction(db, async (tx) => {
    const alert = await getAlert(tx, alertId, true)
    if (!alert?.siteId || !visible(alert.siteId)) throw notFound('alert', alertId)
    if (alert.priority !== 1) throw conflict(`alert ${alertId} is not a fire alarm`)
    if (alert.state === 'resolved') {
      throw conflict('the alarm is resolved: a late signal would start a response; tell the centre by phone')
    }
    if ((await setAsideSinceResend(tx, alertId)) === 0) {
      throw conflict('no signal of this alarm is set aside: the centres have what the hub has sent')
    }
    const place = (await placesOf(tx, [alert])).get(alert.id)
    if (place?.site.kind !== 'institution' || !place.device || !isFireDevice(place.device.type)) {
      throw conflict('only a fire detector of an institution signals a monitoring centre')
    }
    const json = alertJson(alert)
    const kind = standing(json.history)
    const centres = await queueSignals(tx, kind, json, place.site, place.device, now)
    if (centres === 0) throw conflict('the institution has no monitoring centre registered')
    await recordResent(tx, {
      siteId: alert.siteId,
      alertId,
      actor,
      at: now,
      reason: `${kind} queued again for ${centres} monitoring centre${centres === 1 ? '' : 's'}`,
    })
    return { kind, centres }
  })
}

/** What the centres should hear now: staff's verdict if there is one, else the fire itself. */
function standing(history: { kind: string }[]): SignalKind {
  const verdict = [...history].reverse().find((e) => e.kind === 'false-alarm' || e.kind === 'fire-confirmed')
  return (verdict?.kind as 'false-alarm' | 'fire-confirmed' | undefined) ?? 'fire'
}
