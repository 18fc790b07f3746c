import type { AlertJson } from '../../src/contract/alert-json.js'
import type { HubApi } from '../lib/api.js'
import { mapLimit, sleep } from '../lib/util.js'
import type { FleetDevice } from './fleet.js'
import type { Expectation } from './scenario.js'

// Checks a scenario's expected outcomes: alerts against what the live feed showed during the run (each
// alert's latest state), devices through GET /api/v1/devices/{id}. Polled until met or the deadline, since
// a will or a status is committed a batch later than the step that caused it.

export interface Outcome {
  expectation: string
  ok: boolean
  /** what was wrong, per device (the first few) */
  problems: string[]
}

/** Device time minus hub receive time may differ from the expected skew by this much. */
const SKEW_TOLERANCE_MS = 30_000
const POLL_MS = 200

function checkAlerts(
  e: Extract<Expectation, { alerts: unknown }>['alerts'],
  devices: readonly FleetDevice[],
  alerts: readonly AlertJson[],
): string[] {
  const problems: string[] = []
  for (const d of devices) {
    const mine = alerts.filter((a) => a.deviceId === d.id && (e.type === undefined || a.type === e.type))
    const what = `${d.key} (${d.id})`
    if (e.none) {
      if (mine.length) problems.push(`${what}: expected no alert, the feed showed ${mine.map((a) => a.type)}`)
      continue
    }
    if (mine.length !== 1) {
      problems.push(`${what}: expected one ${e.type ?? ''} alert, the feed showed ${mine.length}`)
      continue
    }
    const a = mine[0]!
    if (e.priority !== undefined && a.priority !== e.priority)
      problems.push(`${what}: priority ${a.priority}, expected ${e.priority}`)
    if (e.state !== undefined && a.state !== e.state)
      problems.push(`${what}: state ${a.state}, expected ${e.state}`)
    if (e.count !== undefined && a.count !== e.count)
      problems.push(`${what}: count ${a.count}, expected ${e.count}`)
    const kinds = a.history.map((h) => h.kind)
    for (const k of e.history ?? [])
      if (!kinds.includes(k as never)) problems.push(`${what}: history ${kinds.join(',')} lacks ${k}`)
    if (e.eventSkew !== undefined && a.event) {
      const skew = Date.parse(a.event.ts) - Date.parse(a.event.receivedAt)
      if (Math.abs(skew - e.eventSkew) > SKEW_TOLERANCE_MS)
        problems.push(
          `${what}: device time is ${Math.round(skew / 1000)} s off, expected ${e.eventSkew / 1000} s`,
        )
    }
  }
  return problems
}

interface DeviceJson {
  online: boolean
  rejectedCount: number
  battery: number | null
}

async function checkDevices(
  e: Extract<Expectation, { device: unknown }>['device'],
  devices: readonly FleetDevice[],
  api: HubApi,
): Promise<string[]> {
  const problems = await mapLimit(devices, 20, async (d) => {
    const got = await api.expect<DeviceJson>(200, 'GET', `/api/v1/devices/${encodeURIComponent(d.id)}`)
    const what = `${d.key} (${d.id})`
    const out: string[] = []
    if (e.online !== undefined && got.online !== e.online)
      out.push(`${what}: online ${got.online}, expected ${e.online}`)
    if (e.rejectedAtLeast !== undefined && got.rejectedCount < e.rejectedAtLeast)
      out.push(`${what}: rejectedCount ${got.rejectedCount}, expected at least ${e.rejectedAtLeast}`)
    if (e.batteryBelow !== undefined && !(got.battery !== null && got.battery < e.batteryBelow))
      out.push(`${what}: battery ${got.battery}, expected below ${e.batteryBelow}`)
    return out
  })
  return problems.flat()
}

export function describeExpectation(e: Expectation): string {
  const { devices, ...rest } = 'alerts' in e ? e.alerts : e.device
  return `${'alerts' in e ? 'alerts' : 'device'} ${JSON.stringify(rest)} for ${JSON.stringify(devices)}`
}

/** Checks every expectation, re-checking the unmet ones until `deadline` (epoch ms). */
export async function checkExpectations(
  plan: readonly { expectation: Expectation; devices: FleetDevice[] }[],
  alerts: () => AlertJson[],
  api: HubApi,
  deadline: number,
): Promise<Outcome[]> {
  const check = async ({ expectation: e, devices }: (typeof plan)[number]) =>
    'alerts' in e ? checkAlerts(e.alerts, devices, alerts()) : checkDevices(e.device, devices, api)
  let problems = await Promise.all(plan.map(check))
  while (problems.some((p) => p.length) && Date.now() < deadline) {
    await sleep(POLL_MS)
    problems = await Promise.all(plan.map((p, i) => (problems[i]!.length ? check(p) : [])))
  }
  return plan.map((p, i) => ({
    expectation: describeExpectation(p.expectation),
    ok: problems[i]!.length === 0,
    problems: problems[i]!.slice(0, 5).concat(
      problems[i]!.length > 5 ? [`… ${problems[i]!.length - 5} more`] : [],
    ),
  }))
}
