import type { Key } from './i18n'

// Each alert type is told apart three ways at once: colour, icon and words, so neither colour-blindness nor
// a glance across the room mixes a fire up with a flat battery.

export interface Look {
  cls: string
  icon: string
  label: Key
}

const looks: Record<string, Look> = {
  smoke: { cls: 'k-fire', icon: '🔥', label: 'type.smoke' },
  fire: { cls: 'k-fire', icon: '🔥', label: 'type.fire' },
  sos: { cls: 'k-sos', icon: '🆘', label: 'type.sos' },
  fall: { cls: 'k-fall', icon: '⤵', label: 'type.fall' },
  'presence-lost': { cls: 'k-fall', icon: '⤵', label: 'type.presence-lost' },
  inactivity: { cls: 'k-fall', icon: '⏸', label: 'type.inactivity' },
  fault: { cls: 'k-fault', icon: '⚠', label: 'type.fault' },
  tamper: { cls: 'k-fault', icon: '⚠', label: 'type.tamper' },
  'low-battery': { cls: 'k-fault', icon: '🔋', label: 'type.low-battery' },
  offline: { cls: 'k-offline', icon: '⛓', label: 'type.offline' },
  'delivery-failure': { cls: 'k-fault', icon: '✉', label: 'type.delivery-failure' },
  'no-usable-channel': { cls: 'k-fault', icon: '✉', label: 'type.no-usable-channel' },
  'nobody-on-duty': { cls: 'k-fault', icon: '👤', label: 'type.nobody-on-duty' },
  'centre-link-down': { cls: 'k-offline', icon: '⛓', label: 'type.centre-link-down' },
}

const other: Look = { cls: 'k-other', icon: 'ℹ', label: 'type.other' }

export function lookOf(type: string): Look {
  return looks[type] ?? other
}

export const abilityKeys: Key[] = ['ability.0', 'ability.1', 'ability.2', 'ability.3', 'ability.4']
