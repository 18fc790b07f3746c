import type { Logger } from 'pino'
import type { Bus } from '../bus.js'
import type { AlertJson } from '../contract/alert-json.js'
import type { LiveMessage } from '../contract/live.js'
import { decide } from '../core/alert-machine.js'
import { type AlertWork, commitAlertWork } from '../core/alert-work.js'
import { isChange } from '../core/alert-writer.js'
import type { Metrics } from '../metrics.js'
import { DueTimer } from '../notify/due-timer.js'
import { getAlert } from '../store/alerts.js'
import type { Db, Tx } from '../store/db.js'
import { feedAfter } from '../store/feed.js'
import { recordSetAside } from '../store/fire-signal-log.js'
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
  metrics: Metrics
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

interface Work extends AlertWork {
  signals: number
}

type SiteAlert = AlertJson & { siteId: string; deviceId: string }

type AlertChange = 'alert.opened' | 'alert.updated'

/** The alert change a feed message carries, if it may concern a monitoring centre (cheap: no database). */
function centreAlert(m: LiveMessage): { kind: AlertChange; alert: SiteAlert } | null {
  if (m.kind !== 'alert.opened' && m.kind !== 'alert.updated') return null
  const alert = m.data
  if (!alert.deviceId || !alert.siteId || !mayConcernCentres(alert)) return null
  return { kind: m.kind, alert: alert as SiteAlert }
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
      work.signals += await queueHeartbeats(tx, this.deps.heartbeatMs, new Date())
      return false
    })
  }

  /** One transaction of alert work; says whether there may be more. */
  private async batch(fn: (tx: Tx, work: Work) => Promise<boolean>): Promise<boolean> {
    const { result } = await commitAlertWork(this.deps, async (tx, alertWork) => {
      const work: Work = Object.assign(alertWork, { signals: 0 })
      return { more: await fn(tx, work), signals: work.signals }
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
    for (const m of messages) await this.handleOrSetAside(tx, m, work)
    await tx.query('UPDATE hub_settings SET value = $2 WHERE key = $1', [
      CURSOR,
      String(messages.at(-1)!.seq),
    ])
    return messages.length === PAGE
  }

  /**
   * One message in a savepoint: if its signal cannot be built or queued, what it did is undone, it is set
   * aside with the reason (fire-event log, a delivery-failure alert) and the page goes on, so one bad
   * message never holds back the signals after it.
   */
  private async handleOrSetAside(tx: Tx, m: LiveMessage, work: Work) {
    const change = centreAlert(m)
    if (!change) return
    const { kind, alert } = change
    const before = { changes: work.changes.length, problems: work.problems.length, signals: work.signals }
    await tx.query('SAVEPOINT fire_message')
    try {
      await this.handle(tx, kind, alert, work)
      await tx.query('RELEASE SAVEPOINT fire_message')
    } catch (err) {
      await tx.query('ROLLBACK TO SAVEPOINT fire_message')
      work.changes.length = before.changes
      work.problems.length = before.problems
      work.signals = before.signals
      const reason = (err as Error).message
      this.deps.log.error({ err, seq: m.seq, alertId: alert.id }, 'fire signal set aside')
      await recordSetAside(tx, {
        siteId: alert.siteId,
        alertId: alert.id,
        feedSeq: m.seq,
        reason,
        at: new Date(),
      })
      work.problems.push({
        alertType: 'delivery-failure',
        siteId: alert.siteId,
        residentId: null,
        relatedAlertId: alert.id,
        data: { target: 'fire-centre', reason: `the fire signal could not be queued: ${reason}` },
      })
    }
  }

  private async handle(tx: Tx, kind: AlertChange, alert: SiteAlert, work: Work) {
    const place = await this.place(tx, alert)
    if (place?.site.kind !== 'institution' || !place.device) return
    const now = new Date()
    const fire = alert.priority === 1
    const last = alert.history.at(-1)
    if (fire && kind === 'alert.opened') await this.opened(tx, alert, place, work)
    if (fire && last?.kind === 'acknowledged') await recordAcknowledged(tx, alert.id, new Date(last.at))
    if (fire && last?.kind === 'false-alarm') await recordFalseAlarm(tx, alert.id, now)
    const signal = signalFor(kind, alert, isFireDevice(place.device.type))
    if (!signal) return
    // fire-confirmed goes once per zone: a second detector's confirmation adds nothing the centre needs
    if (signal === 'fire-confirmed' && !(await recordConfirmed(tx, alert.id, now))) return
    const sent = await queueSignals(tx, signal, alert, place.site, place.device, now)
    work.signals += sent
    if (sent === 0 && signal === 'fire') {
      work.problems.push({
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
      if (acked && Date.now() < v.investigateDue.getTime()) {
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
    const d = decide(alert, { kind: 'fire-mark', mark: 'fire-confirmed', actor: null, data }, new Date())
    if (isChange(d)) work.changes.push(d)
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
