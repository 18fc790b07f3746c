import { performance } from 'node:perf_hooks'
import { pino } from 'pino'
import type { AlertRunner } from '../alerting/runner.js'
import { Bus } from '../bus.js'
import { createMetrics } from '../metrics.js'
import type { Db } from '../store/db.js'
import { RuleEngine } from './engine.js'
import type { ResidentProfile } from './rule.js'
import { DEFAULT_DAY } from './store.js'

// The memory the rule state takes for N residents (npm run bench:rules [-- N]): each resident with a motion
// sensor and a door contact, one in three with a bed sensor, one device in twenty with a low battery; one
// sign of life and a bed reading each, then one evaluation pass. Here rather than in simulators/: it measures
// the engine's own state, which the simulators (public contract only) cannot see.

const residents = Number(process.argv[2] ?? 100_000)
const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with node --expose-gc (npm run bench:rules)')
const heap = () => {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

const zones = ['Asia/Shanghai', 'Asia/Urumqi', 'Europe/Berlin', 'America/New_York']
let now = Date.parse('2026-12-02T09:00:00+08:00')
const before = heap()
const engine = new RuleEngine({
  db: {} as Db,
  alerts: { clock: { now: () => new Date(now) } } as AlertRunner,
  bus: new Bus(),
  metrics: createMetrics(),
  log: pino({ level: 'silent' }),
  params: { batteryLow: 20, batteryOk: 40, flapLimit: 5, flapWindowMs: 600_000 },
  everyMs: 60_000,
})
const t0 = performance.now()
for (let i = 0; i < residents; i++) {
  const p: ResidentProfile = {
    id: `res_${i.toString(36).padStart(8, '0')}`,
    siteId: `site_${(i >> 4).toString(36)}`,
    abilityLevel: i % 5,
    livesAlone: i % 2 === 0,
    day: { zone: zones[i % zones.length]!, ...DEFAULT_DAY },
    inactiveAfterMs: null,
    activityDevices: 2,
    bedDevices: i % 3 === 0 ? 1 : 0,
  }
  engine.track(p, { lastActivity: now - (i % 600) * 60_000 })
  const device = { id: `dev_${i.toString(36)}`, siteId: p.siteId, residentId: p.id }
  engine.observe(device, { at: now, deviceId: device.id, kind: 'event', activity: true, eventType: 'motion' })
  engine.observe(device, {
    at: now,
    deviceId: device.id,
    kind: 'reading',
    activity: false,
    battery: i % 20 === 0 ? 15 : 80,
    values: p.bedDevices ? { presence: 1, heartRate: 64, respiration: 14 } : {},
  })
}
const loaded = performance.now()
// what the engine queued (the low batteries) is dropped here: no database to carry it out
;(engine as unknown as { pending: unknown[] }).pending.length = 0
now += 7 * 3_600_000
const verdicts = engine.evaluate(now)
const evaluated = performance.now()
;(engine as unknown as { pending: unknown[] }).pending.length = 0
const used = heap() - before

const counts = Object.fromEntries([...engine.states].map(([rule, m]) => [rule, m.size]))
console.log(
  JSON.stringify(
    {
      residents,
      states: counts,
      heapMiB: +(used / 2 ** 20).toFixed(1),
      bytesPerResident: Math.round(used / residents),
      loadMs: Math.round(loaded - t0),
      evaluateMs: Math.round(evaluated - loaded),
      verdicts,
      node: process.version,
    },
    null,
    2,
  ),
)
