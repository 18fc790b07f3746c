import { writeFile } from 'node:fs/promises'
import { performance } from 'node:perf_hooks'
import type { AlertJson } from '../../src/contract/alert-json.js'
import { HubApi, listAll } from '../lib/api.js'
import { LiveFeedClient } from '../lib/live-feed.js'
import { Random } from '../lib/random.js'
import { sleep } from '../lib/util.js'
import { Counters } from './counters.js'
import { checkExpectations, type Outcome } from './expect.js'
import { type FleetFile, fleetSpecSchema, loadFleet, provisionFleet, saveFleet } from './fleet.js'
import type { SimOptions } from './options.js'
import { progressBar } from './progress.js'
import { buildReport, formatReport, type SimReport } from './report.js'
import { FleetRuntime } from './runtime.js'
import { loadScenario, type Scenario } from './scenario.js'
import { type Plan, planScenario, scaleSpec } from './select.js'
import { SetupError } from './setup-error.js'
import { runStep } from './steps.js'
import { AlertTracker } from './tracker.js'

// One simulator run: fleet → plan → connect → timeline (telemetry, random events, scenario steps) → settle
// → expected outcomes → report. Every wait is bounded by the run's duration plus --settle.

const DEFAULT_DURATION_MS = 60_000

async function fleetFor(
  o: SimOptions,
  api: HubApi,
  scenario: Scenario | null,
  rng: Random,
): Promise<FleetFile> {
  if (o.fleet) return loadFleet(o.fleet)
  const spec = scaleSpec(
    fleetSpecSchema.parse({
      ...scenario?.fleet,
      ...(o.homes !== undefined && { homes: o.homes }),
      ...(o.institutions !== undefined && { institutions: o.institutions }),
      ...(o.homeDevices && { homeDevices: o.homeDevices }),
      ...(o.residents !== undefined && { residents: o.residents }),
      ...(o.residentDevices && { residentDevices: o.residentDevices }),
      ...(o.zoneDevices && { zoneDevices: o.zoneDevices }),
    }),
    o.scale,
  )
  const fleet = await provisionFleet(api, spec, rng, o.concurrency, `Sim ${o.seed}`)
  if (o.saveFleet) await saveFleet(o.saveFleet, fleet)
  return fleet
}

/** Where OneNET devices push, signed with the token; none without a token. */
function onenetTarget(o: SimOptions) {
  const token = o.onenetToken ?? process.env.ONENET_PUSH_TOKEN
  const url = o.onenetUrl ?? `${o.api.replace(/\/$/, '')}/api/v1/ingest/onenet`
  return token ? { url, token } : undefined
}

/** Follows the live feed for the whole run, resuming after the last seq if the hub closes it. */
async function followFeed(api: HubApi, tracker: AlertTracker, isDone: () => boolean, counters: Counters) {
  const attach = (feed: LiveFeedClient) => {
    feed.onMessage = (m) => tracker.onMessage(m)
    return feed
  }
  let feed = attach(await LiveFeedClient.open(api.base, api.bearer))
  const watcher = (async () => {
    while (!isDone()) {
      await sleep(100)
      if (!feed.closed || isDone()) continue
      counters.error('live feed closed', `${feed.closed.code} ${feed.closed.reason}`)
      feed = attach(await LiveFeedClient.open(api.base, api.bearer, feed.lastSeq).catch(() => feed))
    }
  })()
  return {
    close: async () => {
      feed.close()
      await watcher
    },
  }
}

export async function runSimulation(
  o: SimOptions,
  log: (line: string) => void = () => {},
): Promise<SimReport> {
  const rng = new Random(o.seed)
  const scenario = o.scenario ? await loadScenario(o.scenario) : null
  const api = new HubApi(o.api.replace(/\/$/, ''))
  const password = o.password ?? process.env.HUB_ADMIN_PASSWORD
  if (!password) throw new SetupError('no password: pass --password or set HUB_ADMIN_PASSWORD')
  await api.login(o.username, password).catch((err) => {
    throw new SetupError(`cannot log in to ${o.api}: ${(err as Error).message}`)
  })
  const fleet = await fleetFor(o, api, scenario, rng)
  const links = new Set(fleet.devices.map((d) => d.link))
  if (links.has('uitd') && !o.uitd) throw new SetupError('the fleet has UITDs: pass --uitd host:port')
  if (links.has('onenet') && !onenetTarget(o))
    throw new SetupError('the fleet has OneNET devices: pass --onenet-token or set ONENET_PUSH_TOKEN')
  log(`fleet of ${fleet.devices.length} devices ready`)
  const plan: Plan = scenario
    ? planScenario(scenario, fleet.devices, rng, o.scale)
    : { steps: [], expect: [] }

  const counters = new Counters()
  const tracker = new AlertTracker()
  const ids = new Set(fleet.devices.map((d) => d.id))
  for (const state of ['open', 'acknowledged'])
    tracker.preload(
      (await listAll<AlertJson>(api, `/api/v1/alerts?state=${state}`)).filter((a) =>
        ids.has(a.deviceId ?? ''),
      ),
    )
  let done = false
  const feed = await followFeed(api, tracker, () => done, counters)
  const runtime = new FleetRuntime(
    fleet.devices,
    {
      mqttUrl: o.mqtt,
      concurrency: o.concurrency,
      telemetryIntervalMs: o.telemetryInterval,
      telemetryQos: o.telemetryQos as 0 | 1,
      drainFactor: o.drainFactor,
      uitd: o.uitd,
      onenet: onenetTarget(o),
    },
    rng,
    counters,
    tracker,
  )
  const progress = progressBar(o.progress ?? process.stderr.isTTY)
  const lastStepMs = Math.max(0, ...plan.steps.map((s) => s.step.at * o.timeScale))
  const durationMs = o.duration ?? (scenario ? lastStepMs : DEFAULT_DURATION_MS)
  const start = performance.now()
  const show = (phase: string) =>
    progress.update(((performance.now() - start) / Math.max(1, durationMs)) * 100, {
      phase,
      connected: runtime.connected,
      sent: counters.totalSent,
      acked: counters.totalAcked,
      alerts: tracker.seenOpens,
      expected: tracker.expectedOpens,
    })
  let phase = 'connecting'
  const ticker = setInterval(() => show(phase), 250)
  try {
    const t0 = performance.now()
    await runtime.connect(() => {})
    const connectMs = performance.now() - t0
    log(`${runtime.connected} of ${fleet.devices.length} devices connected in ${connectMs.toFixed(0)} ms`)

    phase = 'running'
    const runStart = performance.now()
    runtime.startTelemetry()
    runtime.startRandomEvents(o.eventRate)
    const ctx = { runtime, counters, timeScale: o.timeScale }
    const stepRuns = plan.steps.map(async ({ step, devices }) => {
      await sleep(step.at * o.timeScale)
      await runStep(step, devices, ctx).catch((err) => counters.error(`step ${step.do}`, err))
    })
    await Promise.all([...stepRuns, sleep(durationMs)])
    runtime.stop()
    const ranMs = performance.now() - runStart

    phase = 'settling'
    const deadline = Date.now() + o.settle
    await runtime.drained(o.settle)
    while (tracker.missing.length && Date.now() < deadline) await sleep(50)
    const expectations: Outcome[] = await checkExpectations(
      plan.expect,
      () => [...tracker.alerts.values()],
      api,
      deadline,
    )
    const byType: Record<string, number> = {}
    for (const d of fleet.devices) byType[d.type] = (byType[d.type] ?? 0) + 1
    return buildReport({
      scenario: scenario?.name ?? null,
      seed: o.seed,
      fleet: { devices: fleet.devices.length, byType, connected: runtime.connected, connectMs },
      durationMs: ranMs,
      counters,
      tracker,
      expectations,
      lostWithPower: counters.pendingOf(runtime.unpowered),
    })
  } finally {
    clearInterval(ticker)
    progress.stop()
    done = true
    runtime.stop()
    await feed.close()
    await runtime.disconnect()
    api.abort()
  }
}

/** Runs, prints the report, writes --json; resolves with the exit status. */
export async function simMain(o: SimOptions, out: Pick<Console, 'log' | 'error'> = console): Promise<number> {
  let report: SimReport
  try {
    report = await runSimulation(o, (line) => out.error(`· ${line}`))
  } catch (err) {
    if (err instanceof SetupError) {
      out.error(`sim: ${err.message}`)
      return 2
    }
    throw err
  }
  out.log(formatReport(report))
  if (o.json) await writeFile(o.json, `${JSON.stringify(report, null, 2)}\n`)
  return report.ok ? 0 : 1
}
