import { deviceDefinition } from '../../devices/index.js'
import type { AlertJson } from '../contract/alert-json.js'
import type { LiveKind } from '../contract/live.js'
import type { SignalKind } from './signal.js'

// Which alert changes a monitoring centre hears about, pure: a fire opens ("fire"); its confirmation, a
// false-alarm mark and the detector's clear follow; a detector's fault, tamper, low battery and silence are
// fault / supervisory / link-loss signals, and their end a restoral.

const technical: Record<string, SignalKind> = {
  fault: 'fault',
  tamper: 'fault',
  'low-battery': 'supervisory',
  offline: 'link-loss',
  // a GB/T 26875.3 UITD silent past its linkTimeoutS (devices/uitd.ts)
  'link-loss': 'link-loss',
}

/** A fire device: its definition says it takes part in fire safety. No device type is named here. */
export const isFireDevice = (type: string): boolean => Boolean(deviceDefinition(type)?.fireSafety)

/** Whether an alert could ever concern a centre: checked before any database work on each feed message. */
export const mayConcernCentres = (alert: Pick<AlertJson, 'priority' | 'type'>) =>
  alert.priority === 1 || alert.type in technical

/** The signal an alert change makes, or null. `fireDevice`: the alert's device is a fire device. */
export function signalFor(kind: LiveKind, alert: AlertJson, fireDevice: boolean): SignalKind | null {
  if (!fireDevice) return null
  const fire = alert.priority === 1
  if (kind === 'alert.opened') return fire ? 'fire' : (technical[alert.type] ?? null)
  if (kind !== 'alert.updated') return null
  const last = alert.history.at(-1)
  if (last?.kind === 'fire-confirmed' || last?.kind === 'false-alarm') return fire ? last.kind : null
  if (last?.kind === 'cleared') return fire ? 'clear' : technical[alert.type] ? 'restoral' : null
  if (last?.kind === 'resolved' && alert.outcome === 'restored' && technical[alert.type]) return 'restoral'
  return null
}

/** Detectors in one fire zone confirm each other; without a zone a detector stands alone. */
export function zoneKey(location: Record<string, string | undefined>): string | null {
  if (!location.zone) return null
  return [location.building ?? '', location.floor ?? '', location.zone].join('/')
}
