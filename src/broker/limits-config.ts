import type { Config } from '../config.js'
import type { GuardLimits } from './connect-guard.js'

/** The broker's limits from the configuration (README, "Security"). */
export function brokerLimits(c: Config): GuardLimits {
  return {
    messageRate: { perSecond: c.HUB_MQTT_MESSAGE_RATE, burst: c.HUB_MQTT_MESSAGE_BURST },
    connectRate: { perSecond: c.HUB_MQTT_CONNECTS_PER_MINUTE / 60, burst: c.HUB_MQTT_CONNECTS_PER_MINUTE },
    authFailureRate: {
      perSecond: c.HUB_MQTT_AUTH_FAILURES_PER_MINUTE / 60,
      burst: c.HUB_MQTT_AUTH_FAILURES_PER_MINUTE,
    },
  }
}
