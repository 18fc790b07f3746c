import type { DeviceDefinition } from '../../devices/index.js'

/** What the broker learned about a device when it authenticated; carried on its MQTT client. */
export interface DeviceSession {
  id: string
  siteId: string
  residentId: string | null
  definition: DeviceDefinition
}
