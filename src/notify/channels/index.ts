import type { Address, Channel, ChannelName } from '../channel.js'
import { emailChannel } from './email.js'
import { smsChannel } from './sms.js'
import { webhookChannel } from './webhook.js'

// The channels this hub can use, from its configuration, and which of a contact's addresses they can reach.

export type Channels = Partial<Record<ChannelName, Channel>>

export interface ChannelsConfig {
  /** HUB_WEBHOOK_SECRET (or the one kept in the database) */
  webhookSecret: string
  smtpUrl?: string
  smtpFrom: string
  smsUrl?: string
  smsToken?: string
}

/** Webhooks always; e-mail and SMS only when configured (an unset channel is absent, not failing). */
export function createChannels(config: ChannelsConfig): Channels {
  return {
    webhook: webhookChannel({ defaultSecret: config.webhookSecret }),
    ...(config.smtpUrl && { email: emailChannel({ smtpUrl: config.smtpUrl, from: config.smtpFrom }) }),
    ...(config.smsUrl && { sms: smsChannel({ url: config.smsUrl, token: config.smsToken }) }),
  }
}

/** A contact's addresses, as residents' contacts and roster shifts hold them; any may be null or missing. */
export interface ContactAddresses {
  webhook?: string | null
  webhookSecret?: string | null
  email?: string | null
  phone?: string | null
}

/**
 * The addresses on which `contact` can be reached with the `available` channels, webhook first. An empty
 * list means "no usable channel", which the escalation engine raises as an alert of its own.
 */
export function channelsFor(contact: ContactAddresses, available: Channels): Address[] {
  const out: Address[] = []
  if (available.webhook && contact.webhook) {
    out.push({
      channel: 'webhook',
      url: contact.webhook,
      ...(contact.webhookSecret && { secret: contact.webhookSecret }),
    })
  }
  if (available.email && contact.email) out.push({ channel: 'email', email: contact.email })
  if (available.sms && contact.phone) out.push({ channel: 'sms', phone: contact.phone })
  return out
}
