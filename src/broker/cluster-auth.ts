import { deviceDefinition } from '../../devices/index.js'
import { inboundChannels, parseDeviceTopic } from '../contract/topics.js'
import type { Queryable } from '../store/db.js'
import { deviceLookup } from './device-lookup.js'
import { hashDeviceSecret, verifyDeviceSecret } from './device-secret.js'
import { sharedFilters } from './external.js'

// Device authentication and topic rules for an external MQTT cluster (the /api/v1/broker/* endpoints): the
// same secrets and the same rules as the embedded broker. A device may publish to its own events, telemetry
// and status and read only its own commands; the hub's own sessions (user HUB_USER, password
// HUB_BROKER_AUTH_TOKEN) may consume the device topics through the shared subscriptions and publish commands.

export const HUB_USER = 'eldercare-hub'

export type Access = 'publish' | 'subscribe'

export function clusterAuth(db: Queryable, secretKey: string, hubToken: string) {
  const lookup = deviceLookup(db)
  const hubFilters = new Set(sharedFilters.flatMap((f) => [f, f.replace(/^\$share\/[^/]+\//, '')]))

  async function device(username: string) {
    const row = await lookup(username)
    return row && deviceDefinition(row.type) ? row : undefined
  }

  return {
    /** 'hub' for the hub's own sessions, 'device' for a device with its right secret, else null */
    async authenticate(username: string, password: string): Promise<'hub' | 'device' | null> {
      if (username === HUB_USER) return sameSecret(password, hubToken) ? 'hub' : null
      const row = await device(username)
      return row && verifyDeviceSecret(secretKey, Buffer.from(password), row.secret_hash) ? 'device' : null
    },

    /** May `username` publish to, or subscribe to (and be sent) `topic`? */
    async authorize(username: string, topic: string, access: Access): Promise<boolean> {
      const target = parseDeviceTopic(topic)
      if (username === HUB_USER) {
        if (access === 'subscribe') {
          return hubFilters.has(topic) || (target !== null && inboundChannels.has(target.channel))
        }
        return target?.channel === 'commands'
      }
      if (target?.deviceId !== username) return false
      const allowed =
        access === 'publish' ? inboundChannels.has(target.channel) : target.channel === 'commands'
      return allowed && (await device(username)) !== undefined
    },
  }
}

/** Constant time, whatever the lengths: both sides are keyed hashes before they are compared. */
const sameSecret = (given: string, expected: string) =>
  verifyDeviceSecret(expected, Buffer.from(given), hashDeviceSecret(expected, expected))
