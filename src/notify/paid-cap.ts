import type { Address, Channel, NotificationMessage } from './channel.js'

// Abuse limits on paid channels: SMS (and voice calls, when a channel places them) cost money per message, and a
// device or account that raises alerts in a loop must not run up a bill or flood a family's phone. A capped
// channel asks the budget before each send; over a cap, the send fails for good with the reason, so the outbox
// dead-letters it and raises a delivery-failure alert for operators naming the cap. Other channels (the console,
// webhooks, e-mail) still carry the alert.

/** channels that cost money per message */
export const PAID_CHANNELS: readonly string[] = ['sms']

export type CapVerdict = { ok: true } | { ok: false; over: 'resident' | 'contact'; cap: number }

/** Asks for one send of this notification to this address (counted once per notification). */
export type PaidBudget = (send: {
  notificationId: string
  channel: string
  residentId: string | null
  contact: string
}) => Promise<CapVerdict>

const addressOf = (to: Address) =>
  to.channel === 'sms' ? to.phone : to.channel === 'email' ? to.email : to.url

export const capExceeded = 'paid-channel cap reached'

export function cappedChannel(inner: Channel, budget: PaidBudget): Channel {
  return {
    name: inner.name,
    async send(message: NotificationMessage, to, recipient) {
      const verdict = await budget({
        notificationId: message.notificationId,
        channel: inner.name,
        residentId: message.resident?.id ?? null,
        contact: addressOf(to),
      })
      if (!verdict.ok) {
        const per = verdict.over === 'resident' ? 'per resident' : 'per contact'
        return {
          ok: false,
          retryable: false,
          error: `${capExceeded}: ${verdict.cap} ${inner.name} messages ${per} per hour`,
        }
      }
      return inner.send(message, to, recipient)
    },
  }
}

/** The channels, with each paid one capped by the budget. */
export function capPaidChannels<T extends Partial<Record<string, Channel>>>(
  channels: T,
  budget: PaidBudget,
): T {
  const out: Partial<Record<string, Channel>> = { ...channels }
  for (const name of PAID_CHANNELS) {
    const channel = channels[name]
    if (channel) out[name] = cappedChannel(channel, budget)
  }
  return out as T
}
