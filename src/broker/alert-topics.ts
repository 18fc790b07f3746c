import type { Bus } from '../bus.js'
import type { LiveMessage } from '../contract/live.js'
import { siteAlertsTopic } from '../contract/topics.js'

// Alert changes on MQTT, for integrations (Node-RED, a monitoring desk) whose MQTT account may subscribe to a
// site's alerts: each committed `alert.opened` / `alert.updated` live-feed message, as the feed has it, on
// `eldercare/v1/sites/{siteId}/alerts` at QoS 1. Hub-raised alerts without a site are not published.

export function publishAlertTopics(bus: Bus, publish: (topic: string, payload: Buffer) => Promise<void>) {
  const onLive = (m: LiveMessage) => {
    if (m.kind !== 'alert.opened' && m.kind !== 'alert.updated') return
    const siteId = m.data.siteId
    if (!siteId) return
    publish(siteAlertsTopic(siteId), Buffer.from(JSON.stringify(m))).catch(() => {
      // the broker is stopping: the live feed and its ?since= replay remain the record
    })
  }
  bus.on('live', onLive)
  return () => bus.off('live', onLive)
}
