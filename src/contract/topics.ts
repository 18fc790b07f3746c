// The device MQTT topics (CONTRACT.md, "Devices over MQTT"), shared by the broker, simulators and tests.

export const TOPIC_ROOT = 'eldercare/v1/devices'

export const deviceChannels = ['events', 'telemetry', 'status', 'commands'] as const
export type DeviceChannel = (typeof deviceChannels)[number]

/** Channels a device publishes to; it may subscribe only to `commands`. */
export const inboundChannels: ReadonlySet<DeviceChannel> = new Set(['events', 'telemetry', 'status'])

export const deviceTopic = (deviceId: string, channel: DeviceChannel) =>
  `${TOPIC_ROOT}/${deviceId}/${channel}`

export function parseDeviceTopic(topic: string): { deviceId: string; channel: DeviceChannel } | null {
  const parts = topic.split('/')
  if (parts.length !== 5 || `${parts[0]}/${parts[1]}/${parts[2]}` !== TOPIC_ROOT) return null
  const channel = parts[4] as DeviceChannel
  if (!parts[3] || !deviceChannels.includes(channel)) return null
  return { deviceId: parts[3], channel }
}

/** Where the hub publishes a site's alert changes (QoS 1), for MQTT accounts allowed to read them. */
export const siteAlertsTopic = (siteId: string) => `eldercare/v1/sites/${siteId}/alerts`
