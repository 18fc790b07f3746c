import type { DeviceRule, Observation, Standing } from './rule.js'

// A device toggling online/offline or alarm/clear more than HUB_FLAP_LIMIT times within HUB_FLAP_WINDOW gets
// one P3 `flapping` technical alert instead of a storm: further toggles fold into it as repeats (at most one
// per sweep), each carrying the episode's count, first and last toggle. While it is open the offline watch
// opens no offline alert for the device. Quiet for a whole window, it resolves itself (`stable`).

export interface FlapState extends Standing {
  /** toggle times inside the window, oldest first (at most limit + 1 kept) */
  recent: number[]
  /** the last state seen per stream (status, each event type), to tell a toggle from a repeat */
  last: Record<string, string>
  /** the episode: toggles counted, first and last toggle, and how many the alert has been told of */
  count: number
  first: number
  latest: number
  told: number
}

/** The stream a message toggles and the state it reports, if it is a toggle at all. */
function toggle(o: Observation): [string, string] | null {
  if (o.kind === 'status' && o.status) return ['status', o.status]
  if (o.kind === 'offline' || o.kind === 'restored')
    return ['status', o.kind === 'offline' ? 'offline' : 'online']
  if (o.kind === 'event' && o.eventType && o.state) return [`event:${o.eventType}`, o.state]
  return null
}

export const flapping: DeviceRule<FlapState> = {
  name: 'flapping',
  alert: { type: 'flapping', priority: 3, class: 'technical' },
  scope: 'device',
  concerns: (o) => toggle(o) !== null,
  init: () => ({ open: false, alertedAt: 0, recent: [], last: {}, count: 0, first: 0, latest: 0, told: 0 }),

  observe(s, o, p) {
    const t = toggle(o)
    if (!t) return null
    const [stream, value] = t
    const before = s.last[stream]
    s.last[stream] = value
    if (before === undefined || before === value) return null
    while (s.recent.length && s.recent[0]! <= o.at - p.flapWindowMs) s.recent.shift()
    s.recent.push(o.at)
    if (s.recent.length > p.flapLimit + 1) s.recent.shift()
    if (s.open || s.recent.length > p.flapLimit) {
      if (s.count === 0) s.first = s.recent[0]!
      s.count = s.count === 0 ? s.recent.length : s.count + 1
      s.latest = o.at
    }
    return null
  },

  evaluate(s, now, p) {
    while (s.recent.length && s.recent[0]! <= now - p.flapWindowMs) s.recent.shift()
    if (s.open && s.recent.length === 0) return { do: 'resolve', outcome: 'stable' }
    if (!s.open && s.recent.length <= p.flapLimit) {
      s.count = 0
      s.told = 0
      return null
    }
    if (s.count === 0 || s.count === s.told) return null
    s.told = s.count
    return {
      do: 'open',
      data: {
        toggles: s.count,
        first: new Date(s.first).toISOString(),
        last: new Date(s.latest).toISOString(),
      },
    }
  },

  idle: (s, now, p) => !s.open && s.recent.every((t) => t <= now - p.flapWindowMs),
}
