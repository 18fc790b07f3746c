import { EventEmitter } from 'node:events'
import type { LiveMessage } from './contract/live.js'
import type { Alert, HistoryEntry } from './core/alert.js'

// The one in-process bus. Emitters publish after their transaction commits; subscribers (live feed,
// metrics, later the notifier) never reach into the emitter.

export interface BusEvents {
  /** domain events from the alerting runner, after commit: the alert as it now stands and what this change added */
  'alert.opened': [Alert, HistoryEntry[]]
  'alert.updated': [Alert, HistoryEntry[]]
  /** a stored live-feed message, emitted after its commit */
  live: [LiveMessage]
  /** a user's role, sites, password or disabled flag changed (committed): their open connections must re-authenticate */
  'user.changed': [userId: string]
  /** a token was logged out (committed): connections opened with it close */
  'token.revoked': [tokenId: string]
  /** a device's secret was rotated or revoked, or the device deleted (committed): its connections end at `endsAt` (null: now) */
  'device.credentials': [deviceId: string, endsAt: Date | null, deleted: boolean]
  /** an MQTT account changed or was deleted (committed): its connections close */
  'mqtt-account.changed': [accountId: string, deleted: boolean]
  /** a device message, after its commit: what the rules (src/rules/) watch */
  'device.message': [DeviceMessage]
}

/** What a committed device message said, as the rules need it. */
export interface DeviceMessage {
  deviceId: string
  deviceType: string
  siteId: string
  residentId: string | null
  receivedAt: Date
  event?: { id: string; type: string; state: 'alarm' | 'clear' }
  reading?: { battery?: number; values: Record<string, number> }
  status?: 'online' | 'offline'
}

export class Bus extends EventEmitter<BusEvents> {
  constructor() {
    super()
    // one listener per live-feed client
    this.setMaxListeners(0)
  }
}
