import { performance } from 'node:perf_hooks'
import type { DeviceDefinition } from '../../devices/index.js'
import type { AlertJson } from '../../src/contract/alert-json.js'
import type { LiveMessage } from '../../src/contract/live.js'
import { Latency } from '../lib/stats.js'

// What the run expects on the live feed and what it saw: every event whose rule opens an alert, on a device
// with no unresolved alert of that type, must come back as `alert.opened` naming the event; its latency is
// publish → that message. Repeats fold into the open alert and are counted, not timed.

const pairKey = (deviceId: string, alertType: string) => `${deviceId}|${alertType}`

export class AlertTracker {
  readonly e2e = new Latency()
  /** the latest state of every alert the feed showed during the run, by id */
  readonly alerts = new Map<string, AlertJson>()
  expectedOpens = 0
  expectedRepeats = 0
  seenOpens = 0
  private readonly unresolved = new Set<string>()
  private readonly pending = new Map<string, number>()

  /** Alerts already unresolved before the run: an alarm on them folds instead of opening. */
  preload(alerts: readonly Pick<AlertJson, 'deviceId' | 'type'>[]) {
    for (const a of alerts) if (a.deviceId) this.unresolved.add(pairKey(a.deviceId, a.type))
  }

  /** Call just before publishing an event. */
  sending(deviceId: string, def: DeviceDefinition, type: string, state: string, eventId: string) {
    const rule = def.events[type]
    if (rule?.action !== 'open' || state !== 'alarm') return
    const pair = pairKey(deviceId, rule.alertType)
    if (this.unresolved.has(pair)) {
      this.expectedRepeats++
      return
    }
    this.unresolved.add(pair)
    this.expectedOpens++
    this.pending.set(`${deviceId}|${eventId}`, performance.now())
  }

  onMessage(m: LiveMessage) {
    if (m.kind !== 'alert.opened' && m.kind !== 'alert.updated') return
    const alert = m.data
    this.alerts.set(alert.id, alert)
    if (!alert.deviceId) return
    if (m.kind === 'alert.opened') {
      const key = `${alert.deviceId}|${alert.event?.id}`
      const t0 = this.pending.get(key)
      if (t0 !== undefined) {
        this.pending.delete(key)
        this.seenOpens++
        this.e2e.record(performance.now() - t0)
      }
    } else if (alert.state === 'resolved') this.unresolved.delete(pairKey(alert.deviceId, alert.type))
  }

  /** Opens expected and not (yet) seen, as "device|event id". */
  get missing(): string[] {
    return [...this.pending.keys()]
  }
}
