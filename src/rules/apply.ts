import type { AlertRunner } from '../alerting/runner.js'
import type { Alert } from '../core/alert.js'
import { lockActiveAlerts, lockActiveResidentAlerts } from '../store/alerts.js'
import type { DeviceRule, ResidentProfile, ResidentRule, Standing, Verdict } from './rule.js'

// Carries out rule verdicts in one runner transaction: locks the subjects' unresolved alerts, then lets the
// core open, fold or resolve. The engine learns the outcome from the bus, like any other alert change.

export interface Pending {
  rule: ResidentRule<Standing> | DeviceRule<Standing>
  subject: string
  verdict: NonNullable<Verdict>
}

interface Lookup {
  resident(id: string): ResidentProfile | undefined
  device(id: string): { siteId: string; residentId: string | null } | undefined
}

const key = (subject: string, type: string) => `${subject}\u0000${type}`

/** Returns how many alerts each rule opened. */
export async function applyVerdicts(alerts: AlertRunner, batch: Pending[], lookup: Lookup) {
  const { result } = await alerts.run(async (work) => {
    const residents = batch.filter((p) => p.rule.scope === 'resident')
    const devices = batch.filter((p) => p.rule.scope === 'device')
    const typeOf = (p: Pending) => alertOf(p).type
    const active = new Map<string, Alert>()
    for (const a of await lockActiveResidentAlerts(
      work.tx,
      residents.map((p) => ({ residentId: p.subject, type: typeOf(p) })),
    ))
      active.set(key(a.residentId!, a.type), a)
    for (const a of await lockActiveAlerts(
      work.tx,
      devices.map((p) => ({ deviceId: p.subject, type: typeOf(p) })),
    ))
      active.set(key(a.deviceId!, a.type), a)

    const opened = new Map<string, number>()
    for (const p of batch) {
      const { rule, subject, verdict } = p
      const alert = alertOf(p)
      const k = key(subject, alert.type)
      const current = active.get(k) ?? null
      if (verdict.do === 'resolve') {
        if (!current) continue
        const d = work.decide(current, { kind: 'resolve', actor: 'hub', outcome: verdict.outcome })
        if (d.effect !== 'conflict') active.delete(k)
        continue
      }
      const where =
        rule.scope === 'resident' ? residentSource(lookup, subject) : deviceSource(lookup, subject)
      if (!where) continue
      const d = work.decide(current, {
        kind: 'rule',
        source: {
          alertType: alert.type,
          priority: alert.priority,
          alertClass: alert.class,
          ...where,
          data: verdict.data,
        },
        newId: work.newId('alr'),
      })
      if (d.effect === 'opened') opened.set(rule.name, (opened.get(rule.name) ?? 0) + 1)
      if (d.effect === 'opened' || d.effect === 'updated') active.set(k, d.alert)
    }
    return opened
  })
  return result
}

/** the alert a verdict concerns: the rule's own, or the one a device definition names (hold-down) */
const alertOf = (p: Pending) => (p.verdict.do === 'open' && p.verdict.alert) || p.rule.alert

function residentSource(lookup: Lookup, id: string) {
  const r = lookup.resident(id)
  return r && { siteId: r.siteId, residentId: r.id, deviceId: null, abilityLevel: r.abilityLevel }
}

function deviceSource(lookup: Lookup, id: string) {
  const d = lookup.device(id)
  if (!d) return undefined
  const level = d.residentId ? (lookup.resident(d.residentId)?.abilityLevel ?? 0) : 0
  return { siteId: d.siteId, residentId: d.residentId, deviceId: id, abilityLevel: level }
}
