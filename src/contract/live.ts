// Live-feed messages (CONTRACT.md, "Live feed"): kind → data, shared by the server, simulators and tests.
import type { AlertJson } from './alert-json.js'

export interface LiveKinds {
  'alert.opened': AlertJson
  'alert.updated': AlertJson
}
export type LiveKind = keyof LiveKinds

export type LiveMessage<K extends LiveKind = LiveKind> = { seq: number; kind: K; data: LiveKinds[K] }

/** WebSocket close codes the feed uses. */
export const LiveClose = {
  shuttingDown: 1001,
  tooSlow: 1013,
  /** the user was disabled or their role or sites changed: reconnect (and be authorised afresh) */
  accountChanged: 4401,
  sinceTooOld: 4410,
} as const
