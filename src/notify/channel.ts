import type { NotificationReason } from '../core/escalation.js'

// What a notification channel is: the outbox worker hands it one message for one recipient and records
// what the receiver confirmed. Channels never touch the database; retries and deadlines are the worker's.

export type ChannelName = 'webhook' | 'email' | 'sms'
export type Language = 'zh-CN' | 'en'

// why a notification was sent is the escalation core's word; channels and templates use it as is
export type { NotificationReason }

/**
 * The body of a notification (CONTRACT.md, "Webhooks the hub sends"): a webhook receives exactly this as
 * JSON; e-mail and SMS render it in the recipient's language.
 */
export interface NotificationMessage {
  /** also the webhook-id, stable across retries */
  notificationId: string
  reason: NotificationReason
  alertId: string
  type: string
  priority: number
  state: 'open' | 'acknowledged' | 'resolved'
  openedAt: string
  resident: { id: string; name: string } | null
  /** `timezone` (IANA, e.g. Asia/Shanghai) is how e-mail and SMS show times; UTC when absent */
  site: { id: string; name: string; address: string; timezone?: string } | null
  device: { id: string; type: string; location: Record<string, string> } | null
  /** where the recipient acknowledges ("I'm on my way"); null for recipients who use the console */
  ackUrl: string | null
}

/** One recipient's address on one channel. */
export type Address =
  | {
      channel: 'webhook'
      url: string /** the endpoint's own signing secret, else HUB_WEBHOOK_SECRET */
      secret?: string
    }
  | { channel: 'email'; email: string }
  | { channel: 'sms'; phone: string }

export interface Recipient {
  name: string
  language: Language
}

export type DeliveryResult =
  /** the receiver confirmed: an HTTP 2xx, an SMTP accept, a gateway receipt; `receipt` says which */
  | { ok: true; receipt: string }
  /** not confirmed; `retryable` false when retrying cannot help (e.g. a 4xx other than 408/429) */
  | { ok: false; retryable: boolean; error: string }

export interface Channel {
  readonly name: ChannelName
  send(message: NotificationMessage, to: Address, recipient: Recipient): Promise<DeliveryResult>
}
