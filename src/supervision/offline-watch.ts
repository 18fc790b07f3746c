import type { Logger } from 'pino'
import { definitions } from '../../devices/index.js'
import type { AlertRunner } from '../alerting/runner.js'
import { Periodic } from '../periodic.js'
import { lockActiveAlerts } from '../store/alerts.js'

// Offline is the hub's decision (DESIGN.md): a device silent for longer than its type's heartbeat interval
// × a factor gets an "offline" alert (priority 3); when it is heard from again, the alert resolves itself
// ("restored"), and the fire forwarder tells the centres (link-loss, then restoral). The MQTT last will is
// only a hint. A device never heard from counts from when it was provisioned. A device with an unresolved
// `flapping` alert gets no offline alert: that one holds its toggles.

export interface OfflineWatchDeps {
  alerts: AlertRunner
  log: Logger
  everyMs: number
  factor: number
}

export class OfflineWatch {
  private readonly ticker: Periodic

  constructor(private readonly deps: OfflineWatchDeps) {
    this.ticker = new Periodic({
      what: 'offline sweep',
      everyMs: deps.everyMs,
      pass: () => this.sweep(),
      log: deps.log,
    })
  }

  start() {
    this.ticker.start()
  }

  async stop() {
    await this.ticker.stop()
  }

  /** One pass: open alerts for devices gone silent, resolve those of devices heard from again. */
  async sweep() {
    const { factor } = this.deps
    const types = definitions.map((d) => d.type)
    const limits = definitions.map((d) => d.heartbeatSeconds * factor)
    await this.deps.alerts.run(async (work) => {
      const { rows } = await work.tx.query<{
        id: string
        site_id: string
        resident_id: string | null
        last_seen: Date | null
        level: number
        silent: boolean
      }>(
        `SELECT d.id, d.site_id, d.resident_id, d.last_seen, coalesce(r.ability_level, 0) AS level,
           coalesce(d.last_seen, d.created_at) < $3::timestamptz - t.seconds * interval '1 second' AS silent
         FROM devices d JOIN unnest($1::text[], $2::float8[]) AS t(type, seconds) ON t.type = d.type
         LEFT JOIN residents r ON r.id = d.resident_id
         LEFT JOIN alerts a ON a.device_id = d.id AND a.type = 'offline' AND a.state <> 'resolved'
         WHERE (a.id IS NULL) = (coalesce(d.last_seen, d.created_at) < $3::timestamptz - t.seconds * interval '1 second')
           -- a flapping device's alert stands for its outages (src/rules/flapping.ts): no offline alert beside it
           AND NOT (a.id IS NULL AND EXISTS (SELECT 1 FROM alerts f
             WHERE f.device_id = d.id AND f.type = 'flapping' AND f.state <> 'resolved'))
         LIMIT 1000`,
        [types, limits, work.now],
      )
      if (rows.length === 0) return
      const active = new Map(
        (
          await lockActiveAlerts(
            work.tx,
            rows.map((r) => ({ deviceId: r.id, type: 'offline' })),
          )
        ).map((a) => [a.deviceId, a]),
      )
      for (const r of rows) {
        const current = active.get(r.id) ?? null
        if (r.silent) {
          work.decide(current, {
            kind: 'device-silent',
            source: { siteId: r.site_id, residentId: r.resident_id, deviceId: r.id, abilityLevel: r.level },
            newId: work.newId('alr'),
            lastSeen: r.last_seen,
          })
        } else if (current) {
          work.decide(current, { kind: 'resolve', actor: 'hub', outcome: 'restored' })
        }
      }
    })
  }
}
