import { deviceDefinition } from '../../devices/index.js'
import type { DeviceRule, RuleBase, Standing } from './rule.js'

// Hold-down, where a device definition asks for it (`holdDownSeconds` on an event's open rule, e.g. the
// water meter's leak): the alarm opens its alert only if no clear (the type's `clear` event, or the alarm
// type with state "clear") arrives within that many seconds. The core opens nothing for such an alarm; this
// rule opens it at the first sweep after the hold-down has passed, with the event's id. Repeats of an alarm
// already open fold into it as usual.

export interface HeldState extends Standing {
  /** per alert type: the alarm being held, since when, and for how long it must last */
  held: Record<string, { since: number; eventId: string | null; ms: number; alert: RuleBase['alert'] }>
}

/** the held-down open rule an event concerns, and whether it raises or clears it */
function heldRule(deviceType: string | undefined, eventType: string | undefined, state: string | undefined) {
  const events = deviceType ? deviceDefinition(deviceType)?.events : undefined
  const rule = eventType ? events?.[eventType] : undefined
  if (!rule || !events) return null
  if (rule.action === 'open' && rule.holdDownSeconds) return { rule, raise: state === 'alarm' }
  if (rule.action !== 'clear') return null
  const opener = Object.values(events).find((r) => r.action === 'open' && r.alertType === rule.alertType)
  return opener?.action === 'open' && opener.holdDownSeconds ? { rule: opener, raise: false } : null
}

export const holdDown: DeviceRule<HeldState> = {
  name: 'hold-down',
  // the alert opened is the one the definition names (each verdict carries it)
  alert: { type: 'held-down', priority: 3, class: 'technical' },
  scope: 'device',
  concerns: (o) => o.kind === 'event' && heldRule(o.deviceType, o.eventType, o.state)?.raise === true,
  init: () => ({ open: false, alertedAt: 0, held: {} }),

  observe(s, o) {
    const h = o.kind === 'event' ? heldRule(o.deviceType, o.eventType, o.state) : null
    if (h?.rule.action !== 'open') return null
    const type = h.rule.alertType
    if (!h.raise) delete s.held[type]
    else {
      const { priority, class: alertClass, holdDownSeconds = 0 } = h.rule
      s.held[type] ??= {
        since: o.at,
        eventId: o.eventId ?? null,
        ms: holdDownSeconds * 1000,
        alert: { type, priority, class: alertClass },
      }
    }
    return null
  },

  evaluate(s, now) {
    for (const [type, h] of Object.entries(s.held)) {
      if (now - h.since < h.ms) continue
      delete s.held[type]
      return {
        do: 'open',
        alert: h.alert,
        data: { eventId: h.eventId, heldSeconds: h.ms / 1000, since: new Date(h.since).toISOString() },
      }
    }
    return null
  },

  idle: (s) => Object.keys(s.held).length === 0,
}
