import type { Logger } from 'pino'
import { deviceDefinition } from '../../devices/index.js'
import type { AlertRunner } from '../alerting/runner.js'
import type { Bus, DeviceMessage } from '../bus.js'
import type { Alert } from '../core/alert.js'
import type { Metrics } from '../metrics.js'
import { Periodic } from '../periodic.js'
import type { Db } from '../store/db.js'
import { applyVerdicts, type Pending } from './apply.js'
import { deviceRules, residentRules } from './index.js'
import type {
  DeviceRule,
  Observation,
  ResidentProfile,
  ResidentRule,
  RuleParams,
  SavedState,
  Standing,
} from './rule.js'
import { deviceStandings, loadProfiles, loadSaved, residentStandings, saveStates } from './store.js'

// The rule engine: every rule's state in memory, per resident and per device, recovered from the database at
// start (saved state, standing alerts) and fed by committed device messages on the bus; swept on an
// interval with the runner's clock. Verdicts go through the alerting runner, and the alerts they change
// come back on the bus to update what stands. Readings are never scanned.

export interface RuleEngineDeps {
  db: Db
  alerts: AlertRunner
  bus: Bus
  metrics: Metrics
  log: Logger
  params: RuleParams
  everyMs: number
}

interface DeviceInfo {
  siteId: string
  residentId: string | null
}

export class RuleEngine {
  readonly profiles = new Map<string, ResidentProfile>()
  /** per rule name: subject id → state */
  readonly states = new Map<string, Map<string, Standing>>()
  private readonly devices = new Map<string, DeviceInfo>()
  private readonly dirty = new Set<string>()
  private readonly pending: Pending[] = []
  private refreshedAt: Date | null = null
  private flushing?: Promise<void>
  private readonly onMessage = (m: DeviceMessage) => this.guard(() => this.message(m))
  private readonly onAlert = (a: Alert) => this.guard(() => this.alertChanged(a))

  private readonly ticker: Periodic

  constructor(private readonly deps: RuleEngineDeps) {
    this.ticker = new Periodic({
      what: 'rule sweep',
      everyMs: deps.everyMs,
      pass: () => this.sweep(),
      log: deps.log,
    })
    for (const r of [...residentRules, ...deviceRules]) this.states.set(r.name, new Map())
  }

  private now() {
    return this.deps.alerts.clock.now().getTime()
  }

  /** Recovers the state, then listens (before the broker takes messages); `start` sweeps on the interval. */
  async recover() {
    const { db, params } = this.deps
    const saved = await loadSaved(db)
    const { profiles, at } = await loadProfiles(db, null)
    this.refreshedAt = at
    for (const p of profiles) this.track(p, saved.get(p.id) ?? {})
    for (const s of await residentStandings(
      db,
      residentRules.map((r) => r.alert.type),
    )) {
      const rule = residentRules.find((r) => r.alert.type === s.type)!
      const state = this.states.get(rule.name)!.get(s.subject)
      if (state) Object.assign(state, { open: s.open, alertedAt: s.opened.getTime() })
    }
    for (const s of await deviceStandings(
      db,
      deviceRules.map((r) => r.alert.type),
      params.batteryOk,
    )) {
      this.devices.set(s.subject, { siteId: s.site_id, residentId: s.resident_id })
      const rule = deviceRules.find((r) => r.alert.type === s.type)!
      const state = this.deviceState(rule, s.subject)
      Object.assign(
        state,
        { open: s.open, alertedAt: s.opened.getTime() },
        s.type === 'low-battery' ? { low: s.low } : {},
      )
    }
    this.deps.bus.on('device.message', this.onMessage)
    this.deps.bus.on('alert.opened', this.onAlert)
    this.deps.bus.on('alert.updated', this.onAlert)
  }

  start() {
    this.ticker.start()
  }

  async stop() {
    this.deps.bus.off('device.message', this.onMessage)
    this.deps.bus.off('alert.opened', this.onAlert)
    this.deps.bus.off('alert.updated', this.onAlert)
    await this.ticker.stop()
    await this.flushing
    await this.save()
  }

  /** One pass: refresh changed profiles, evaluate every rule for every subject, carry out, save. */
  async sweep() {
    await this.refresh()
    this.evaluate(this.now())
    await this.flush()
    await this.save()
  }

  /** Evaluates every rule for every subject it watches at `now`, queueing the verdicts. */
  evaluate(now: number) {
    const { params, metrics } = this.deps
    for (const rule of residentRules) {
      const states = this.states.get(rule.name)!
      for (const [id, s] of states) {
        const v = rule.evaluate(s, now, this.profiles.get(id)!, params)
        if (v) this.pending.push({ rule, subject: id, verdict: v })
      }
      metrics.rulesEvaluated.inc({ rule: rule.name }, states.size)
    }
    for (const rule of deviceRules) {
      const states = this.states.get(rule.name)!
      for (const [id, s] of states) {
        const v = rule.evaluate(s, now, params)
        if (v) this.pending.push({ rule, subject: id, verdict: v })
        else if (rule.idle?.(s, now, params)) states.delete(id)
      }
      metrics.rulesEvaluated.inc({ rule: rule.name }, states.size)
    }
    return this.pending.length
  }

  /** Feeds a message to every rule watching its resident or device (tests call it with their own times). */
  observe(device: { id: string; siteId: string; residentId: string | null }, o: Observation) {
    const { params } = this.deps
    const profile = device.residentId ? this.profiles.get(device.residentId) : undefined
    if (profile) {
      for (const rule of residentRules) {
        const s = this.states.get(rule.name)!.get(profile.id)
        if (!s) continue
        this.queue(rule, profile.id, rule.observe(s, o, profile, params))
      }
      if (o.activity || o.eventType === 'out-of-bed' || o.values?.presence === 0) this.dirty.add(profile.id)
    }
    for (const rule of deviceRules) {
      const states = this.states.get(rule.name)!
      let s = states.get(device.id)
      if (!s && !rule.concerns(o)) continue
      this.devices.set(device.id, { siteId: device.siteId, residentId: device.residentId })
      s ??= this.deviceState(rule, device.id)
      this.queue(rule, device.id, rule.observe(s, o, params))
    }
  }

  /** Carries out the verdicts waiting, in transactions of a bounded size. */
  flush(): Promise<void> {
    this.flushing ??= (async () => {
      while (this.pending.length) {
        const batch = this.pending.splice(0, 200)
        const opened = await applyVerdicts(this.deps.alerts, batch, {
          resident: (id) => this.profiles.get(id),
          device: (id) => this.devices.get(id),
        })
        for (const [rule, n] of opened) this.deps.metrics.ruleAlerts.inc({ rule }, n)
      }
    })().finally(() => {
      this.flushing = undefined
    })
    return this.flushing
  }

  private queue(
    rule: ResidentRule<Standing> | DeviceRule<Standing>,
    subject: string,
    verdict: ReturnType<ResidentRule['observe']>,
  ) {
    if (!verdict) return
    this.pending.push({ rule, subject, verdict })
    // an immediate verdict (activity resolving an alert) does not wait for the sweep
    void this.flush().catch((err) => this.deps.log.error({ err }, 'rule verdicts failed'))
  }

  private deviceState(rule: DeviceRule<Standing>, id: string) {
    const states = this.states.get(rule.name)!
    let s = states.get(id)
    if (!s) {
      s = rule.init()
      states.set(id, s)
    }
    return s
  }

  /** Watches a resident (as recovered or refreshed from the database). */
  track(p: ResidentProfile, saved: SavedState) {
    this.profiles.set(p.id, p)
    const now = this.now()
    for (const rule of residentRules) {
      const states = this.states.get(rule.name)!
      const s = states.get(p.id)
      if (!rule.applies(p)) states.delete(p.id)
      else if (!s) {
        states.set(p.id, rule.init(p, now, saved))
        // watching begins now: saved, so a restart counts from here too
        this.dirty.add(p.id)
      } else if ('due' in s) (s as { due: number }).due = Number.NaN
    }
  }

  private async refresh() {
    const { profiles, at } = await loadProfiles(
      this.deps.db,
      this.refreshedAt && new Date(this.refreshedAt.getTime() - 10_000),
    )
    this.refreshedAt = at
    for (const p of profiles) this.track(p, {})
  }

  private async save() {
    if (this.dirty.size === 0) return
    const ids = [...this.dirty]
    this.dirty.clear()
    const out = new Map<string, SavedState>()
    for (const id of ids) {
      const saved: SavedState = {}
      for (const rule of residentRules) {
        const s = this.states.get(rule.name)!.get(id)
        if (s && rule.save) Object.assign(saved, rule.save(s))
      }
      out.set(id, saved)
    }
    await saveStates(this.deps.db, out, new Date(this.now()))
  }

  private message(m: DeviceMessage) {
    const def = deviceDefinition(m.deviceType)
    const signals = def?.activity
    const values = m.reading?.values
    const activity =
      (m.event !== undefined &&
        m.event.state === 'alarm' &&
        (signals?.events?.includes(m.event.type) ?? false)) ||
      Object.entries(signals?.telemetry ?? {}).some(([k, min]) => (values?.[k] ?? -Infinity) >= min)
    const kind = m.event ? 'event' : m.reading ? 'reading' : 'status'
    this.observe(
      { id: m.deviceId, siteId: m.siteId, residentId: m.residentId },
      {
        at: m.receivedAt.getTime(),
        deviceId: m.deviceId,
        deviceType: m.deviceType,
        kind,
        activity,
        eventType: m.event?.type,
        eventId: m.event?.id,
        state: m.event?.state,
        values,
        battery: m.reading?.battery,
        status: m.status,
      },
    )
  }

  /** An alert of a rule's type changed (by a rule, a device, an operator): what stands for its subject. */
  private alertChanged(a: Alert) {
    if (a.type === 'offline' && a.deviceId) {
      const restored = a.state === 'resolved'
      if (!restored || a.outcome === 'restored') {
        const o: Observation = {
          at: this.now(),
          deviceId: a.deviceId,
          kind: restored ? 'restored' : 'offline',
          activity: false,
        }
        this.observe({ id: a.deviceId, siteId: a.siteId ?? '', residentId: a.residentId }, o)
      }
    }
    const rules = a.deviceId ? deviceRules : residentRules
    const subject = a.deviceId ?? a.residentId
    const rule = rules.find((r) => r.alert.type === a.type)
    if (!rule || !subject) return
    let s = this.states.get(rule.name)!.get(subject)
    if (!s && rule.scope === 'device' && a.state !== 'resolved') {
      this.devices.set(subject, { siteId: a.siteId ?? '', residentId: a.residentId })
      s = this.deviceState(rule, subject)
    }
    if (!s) return
    s.open = a.state !== 'resolved'
    s.alertedAt = Math.max(s.alertedAt, a.openedAt.getTime())
  }

  private guard(fn: () => void) {
    try {
      fn()
    } catch (err) {
      this.deps.log.error({ err }, 'rule engine failed on a message')
    }
  }
}
