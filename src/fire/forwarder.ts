import type { Logger } from 'pino'
import type { AlertRunner } from '../alerting/runner.js'
import type { AlertWork } from '../alerting/work.js'
import type { Bus } from '../bus.js'
import type { AlertJson } from '../contract/alert-json.js'
import type { LiveMessage } from '../contract/live.js'
import { DueTimer } from '../notify/due-timer.js'
import { getAlert } from '../store/alerts.js'
import type { Db, Tx } from '../store/db.js'
import { feedAfter } from '../store/feed.js'
import { isFireDevice, mayConcernCentres, signalFor, zoneKey } from './rules.js'
import {
  nextHeartbeatDue,
  queueHeartbeats,
  queueSignals,
  type SignalDevice,
  type SignalSite,
} from './signals.js'
import {
  claimDueVerifications,
  nextVerificationDue,
  recordAcknowledged,
  recordConfirmed,
  recordFalseAlarm,
  startVerification,
  type Windows,
  zoneNeighbour,
} from './verification.js'

// The fire-monitoring forwarder. It reads alert changes from the stored live feed after its own cursor (the
// feed is gap-free in commit order, and the cursor moves in the transaction that queues the signals), so every
// change that concerns a centre yields exactly one signal, whichever hub process committed it and even across
// a crash. It also runs the verification windows and the centres' link heartbeats.

export interface ForwarderDeps {
  db: Db
  bus: Bus
  alerts: AlertRunner
  log: Logger
  windows: Windows
  heartbeatMs: number
  /** called when signals were queued */
  onQueued: () => void
}

const PAGE = 200
const CURSOR = 'fire_feed_cursor'

interface Place {
  site: SignalSite & { kind: string }
  device: SignalDevice | null
}

interface Work {
  alerts: AlertWork
  signals: number
}

export class FireForwarder {
  private readonly timer: DueTimer
  private readonly onLive = () => this.timer.wake()

  constructor(private readonly deps: ForwarderDeps) {
    this.timer = new DueTimer(
      'fire forwarder',
      () => this.run(),
      async () => {
        const due = [await nextVerificationDue(deps.db), await nextHeartbeatDue(deps.db)].filter(
          (d) => d !== null,
        )
        return due.length ? new Date(Math.min(...due.map((d) => d.getTime()))) : null
      },
      deps.log,
    )
  }

  start() {
    this.deps.bus.on('live', this.onLive)
    this.timer.start()
  }

  async stop() {
    this.deps.bus.off('live', this.onLive)
    await this.timer.stop()
  }

  private async run() {
    while (await this.batch((tx, work) => this.consumeFeed(tx, work))) {}
    while (await this.batch((tx, work) => this.endWindows(tx, work))) {}
    await this.batch(async (tx, work) => {
      work.signals += await queueHeartbeats(tx, this.deps.heartbeatMs, work.alerts.now)
      return false
    })
  }

  /** One transaction of alert work; says whether there may be more. */
  private async batch(fn: (tx: Tx, work: Work) => Promise<boolean>): Promise<boolean> {
    const { result } = await this.deps.alerts.run(async (alerts) => {
      const work: Work = { alerts, signals: 0 }
      return { more: await fn(alerts.tx, work), signals: work.signals }
    })
    if (result.signals > 0) this.deps.onQueued()
    return result.more
  }

  private async consumeFeed(tx: Tx, work: Work): Promise<boolean> {
    const { rows } = await tx.query<{ value: string }>(
      'SELECT value FROM hub_settings WHERE key = $1 FOR UPDATE',
      [CURSOR],
    )
    const messages = await feedAfter(tx, Number(rows[0]!.value), PAGE)
    if (messages.length === 0) return false
    for (const m of messages) await this.handle(tx, m, work)
    await tx.query('UPDATE hub_settings SET value = $2 WHERE key = $1', [
      CURSOR,
      String(messages.at(-1)!.seq),
    ])
    return messages.length === PAGE
  }

  private async handle(tx: Tx, m: LiveMessage, work: Work) {
    if (m.kind !== 'alert.opened' && m.kind !== 'alert.updated') return
    const alert = m.data
    if (!alert.deviceId || !alert.siteId || !mayConcernCentres(alert)) return
    const place = await this.place(tx, alert)
    if (place?.site.kind !== 'institution' || !place.device) return
    const { now } = work.alerts
    const fire = alert.priority === 1
    const last = alert.history.at(-1)
    if (fire && m.kind === 'alert.opened') await this.opened(tx, alert, place, work)
    if (fire && last?.kind === 'acknowledged') await recordAcknowledged(tx, alert.id, new Date(last.at))
    if (fire && last?.kind === 'false-alarm') await recordFalseAlarm(tx, alert.id, now)
    const kind = signalFor(m.kind, alert, isFireDevice(place.device.type))
    if (!kind) return
    // fire-confirmed goes once per zone: a second detector's confirmation adds nothing the centre needs
    if (kind === 'fire-confirmed' && !(await recordConfirmed(tx, alert.id, now))) return
    const sent = await queueSignals(tx, kind, alert, place.site, place.device, now)
    work.signals += sent
    if (sent === 0 && kind === 'fire') {
      work.alerts.raise({
        alertType: 'no-usable-channel',
        siteId: alert.siteId,
        residentId: alert.residentId,
        relatedAlertId: alert.id,
        data: { target: 'fire-centre', reason: 'the institution has no monitoring centre registered' },
      })
    }
  }

  /** A new fire alarm: its verification window starts; a second detector in the zone confirms it. */
  private async opened(tx: Tx, alert: AlertJson, place: Place, work: Work) {
    const { windows } = this.deps
    const openedAt = new Date(alert.openedAt)
    const zone = zoneKey(place.device!.location)
    await startVerification(tx, alert.id, place.site.id, zone, openedAt, windows)
    if (!zone) return
    const since = new Date(openedAt.getTime() - windows.confirmMs)
    const other = await zoneNeighbour(tx, place.site.id, zone, alert.id, since)
    if (other)
      await this.confirm(tx, alert.id, { how: 'a second detector in the zone', otherAlertId: other }, work)
  }

  /** Verification windows that ran out: an alarm nobody acknowledged or investigated in time is confirmed. */
  private async endWindows(tx: Tx, work: Work): Promise<boolean> {
    const due = await claimDueVerifications(tx, 50)
    for (const v of due) {
      const alert = await getAlert(tx, v.alertId)
      if (!alert || alert.state === 'resolved') continue
      const acked = alert.acknowledgedAt !== null && alert.acknowledgedAt <= v.ackDue
      if (acked && work.alerts.now < v.investigateDue) {
        // acknowledged in time, and the feed had not told us yet: the investigation window runs
        await recordAcknowledged(tx, v.alertId, alert.acknowledgedAt!)
        continue
      }
      const how = acked ? 'not investigated within the window' : 'not acknowledged within the window'
      await this.confirm(tx, v.alertId, { how }, work)
    }
    return due.length === 50
  }

  private async confirm(tx: Tx, alertId: string, data: Record<string, unknown>, work: Work) {
    const alert = await getAlert(tx, alertId, true)
    if (!alert) return
    work.alerts.decide(alert, { kind: 'fire-mark', mark: 'fire-confirmed', actor: null, data })
  }

  private async place(tx: Tx, alert: AlertJson): Promise<Place | null> {
    const { rows } = await tx.query<Place>(
      `SELECT json_build_object('id', s.id, 'name', s.name, 'address', s.address, 'lat', s.lat, 'lon', s.lon,
                'kind', s.kind) AS site,
              json_build_object('id', d.id, 'type', d.type, 'location', d.location) AS device
       FROM sites s LEFT JOIN devices d ON d.id = $2 WHERE s.id = $1`,
      [alert.siteId, alert.deviceId],
    )
    const r = rows[0]
    return r ? { site: r.site, device: r.device?.id ? r.device : null } : null
  }
}
