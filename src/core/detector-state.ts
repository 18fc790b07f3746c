import { deviceDefinition } from '../../devices/index.js'

// A fire-safety device's state for the detector view, worst first: an unresolved priority-1 (fire) alert
// is `alarm`; an unresolved alert of a type its definition calls a fault (fault, tamper) is `fault`; not
// heard from within twice its heartbeat (or reported offline) is `offline`; else `normal`.

export type DetectorState = 'normal' | 'alarm' | 'fault' | 'offline'

export function detectorState(
  type: string,
  online: boolean,
  unresolved: { type: string; priority: number }[],
): DetectorState {
  const faults = deviceDefinition(type)?.fireSafety?.faultAlerts ?? []
  if (unresolved.some((a) => a.priority === 1)) return 'alarm'
  if (unresolved.some((a) => faults.includes(a.type))) return 'fault'
  return online ? 'normal' : 'offline'
}
