import type { Channel, DeliveryResult } from '../channel.js'
import { signWebhook, type WebhookHeaders } from '../signing.js'
import { checkUrl, DEFAULT_TIMEOUT_MS, failedStatus, postJson } from './http-post.js'

// Webhooks (CONTRACT.md, "Webhooks the hub sends"): the NotificationMessage as JSON, signed per Standard
// Webhooks. The webhook-id is the notification id, so a retry after a lost answer is a duplicate the receiver
// can drop; each attempt gets a fresh timestamp and signature, as the spec asks.

export interface WebhookChannelOptions {
  /** HUB_WEBHOOK_SECRET: signs for endpoints without a secret of their own */
  defaultSecret: string
  timeoutMs?: number
  /** the clock for webhook-timestamp (tests) */
  now?: () => Date
}

export function webhookChannel({
  defaultSecret,
  timeoutMs = DEFAULT_TIMEOUT_MS,
  now = () => new Date(),
}: WebhookChannelOptions): Channel {
  return {
    name: 'webhook',
    async send(message, to): Promise<DeliveryResult> {
      if (to.channel !== 'webhook')
        return { ok: false, retryable: false, error: `not a webhook: ${to.channel}` }
      const url = checkUrl(to.url)
      if (!(url instanceof URL)) return url
      const body = JSON.stringify(message)
      let headers: WebhookHeaders
      try {
        headers = signWebhook(
          to.secret || defaultSecret,
          message.notificationId,
          now().getTime() / 1000,
          body,
        )
      } catch (err) {
        return { ok: false, retryable: false, error: (err as Error).message }
      }
      const outcome = await postJson(url, body, headers, { timeoutMs, readAnswer: false })
      if (outcome.kind === 'failed') return outcome.result
      if (outcome.status >= 200 && outcome.status < 300)
        return { ok: true, receipt: `HTTP ${outcome.status}` }
      return failedStatus(outcome.status)
    },
  }
}
