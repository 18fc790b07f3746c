import { commands } from '../../src/contract/gbt26875/frame.js'
import { sleep } from '../lib/util.js'
import type { Counters } from './counters.js'
import type { FleetDevice } from './fleet.js'
import type { FleetRuntime, Member } from './runtime.js'
import type { Step } from './scenario.js'

// One function per kind of scenario step. Durations inside a step are already multiplied by --time-scale;
// a step resolves once everything it set going has been handed to MQTT.js (not acknowledged).

type Run<S extends Step['do']> = (
  step: Extract<Step, { do: S }>,
  members: Member[],
  ctx: { runtime: FleetRuntime; counters: Counters; timeScale: number },
) => Promise<void>

/** Calls `fn` for each item, spread evenly over `overMs` (all at once when 0). */
async function spread<T>(items: readonly T[], overMs: number, fn: (item: T, i: number) => void) {
  const start = Date.now()
  for (let i = 0; i < items.length; i++) {
    const due = start + (overMs * i) / items.length
    if (due > Date.now()) await sleep(due - Date.now())
    fn(items[i]!, i)
  }
}

const steps: { [S in Step['do']]: Run<S> } = {
  event: async (step, members, { runtime, timeScale }) => {
    const fields = { ...step.fields, ...(step.state ? { state: step.state } : {}) }
    await spread(members, step.over * timeScale, (m) => runtime.event(m, step.event, fields))
  },
  'power-loss': async (_step, members) => {
    for (const m of members) {
      m.powered = false
      m.sim?.dropLink()
    }
  },
  'power-restore': async (_step, members, { counters }) => {
    await Promise.all(
      members.map(async (m) => {
        m.powered = true
        try {
          await m.sim?.reconnect()
          if (m.sim) counters.track('status', m.sim.announce(), m.device.id)
        } catch (err) {
          counters.error('reconnect', err)
        }
      }),
    )
  },
  malformed: async (step, members, { runtime, timeScale }) => {
    const sends = members.flatMap((m) => Array.from({ length: step.count }, (_, n) => ({ m, n })))
    await spread(sends, step.over * timeScale, ({ m, n }) =>
      runtime.malformed(m, step.kinds[n % step.kinds.length]!, n),
    )
  },
  flap: async (step, members, { counters, timeScale }) => {
    await Promise.all(
      members.map(async (m) => {
        for (let i = 0; i < step.times && m.sim; i++) {
          if (i > 0) await sleep(step.up * timeScale)
          m.sim.dropLink()
          await sleep(step.down * timeScale)
          await m.sim.reconnect().catch((err) => counters.error('reconnect', err))
        }
      }),
    )
  },
  'clock-skew': async (step, members) => {
    for (const m of members) if (m.sim) m.sim.clockOffsetMs = step.offset
  },
  uitd: async (step, members, { counters }) => {
    await Promise.all(
      members.map(async ({ uitd: u, device }) => {
        if (!u) return
        if (step.action === 'drop') return u.drop()
        if (step.action === 'restore') return u.restore().catch((err) => counters.error('uitd restore', err))
        const answer =
          step.action === 'fire' ? u.fire(step.component) : u.send(21, [{ state: 1, time: u.opts.clock() }])
        counters.track('events', confirmed(answer), device.id)
        await answer.catch(() => {})
      }),
    )
  },
  battery: async (step, members, { runtime }) => {
    for (const m of members) {
      m.battery = step.level
      runtime.telemetry(m)
    }
  },
}

/** A UITD frame counts as acknowledged when the centre confirms it (after commit). */
async function confirmed(answer: Promise<{ command: number }>) {
  const { command } = await answer
  if (command !== commands.confirm) throw new Error(`the hub answered command ${command}, not confirm`)
}

export function runStep(
  step: Step,
  devices: readonly FleetDevice[],
  ctx: { runtime: FleetRuntime; counters: Counters; timeScale: number },
): Promise<void> {
  const members = devices.map((d) => ctx.runtime.member(d))
  return (steps[step.do] as Run<Step['do']>)(step, members, ctx)
}
