// Live-feed messages (CONTRACT.md, "Live feed"): kind → data, shared by the server, simulators and tests.
import type { AlertJson } from './alert-json.js'
import type { CommandJson } from './command-json.js'
import type { NotificationJson } from './notification-json.js'

export interface LiveKinds {
  'alert.opened': AlertJson
  'alert.updated': AlertJson
  /** a notification was delivered (with its receipt), failed an attempt, was given up or cancelled */
  'notification.updated': NotificationJson
  /** a device command was sent, delivered (PUBACK) or answered (done / failed) */
  'command.updated': CommandJson
}
export type LiveKind = keyof LiveKinds

/** One feed message; distributive, so checking `kind` narrows `data`. */
export type LiveMessage<K extends LiveKind = LiveKind> = K extends LiveKind
  ? { seq: number; kind: K; data: LiveKinds[K] }
  : never

/** WebSocket close codes the feed uses. */
export const LiveClose = {
  shuttingDown: 1001,
  tooSlow: 1013,
  /** the user was disabled or their role or sites changed: reconnect (and be authorised afresh) */
  accountChanged: 4401,
  sinceTooOld: 4410,
} as const
