import { z } from 'zod'
import type { Channel, DeliveryResult } from '../channel.js'
import { renderSms } from '../templates.js'
import { checkUrl, DEFAULT_TIMEOUT_MS, failedStatus, postJson } from './http-post.js'

// SMS through any HTTP gateway (no vendor lock-in): POST `{ to, text }` as JSON to SMS_GATEWAY_URL, where
// `{to}` in the URL is replaced by the number, with `authorization: Bearer <SMS_GATEWAY_TOKEN>` when set.
// A vendor with another shape sits behind a small relay that speaks this one.

export interface SmsChannelOptions {
  url: string
  token?: string
  timeoutMs?: number
}

/** The gateway's answer, when it is JSON: its message id is the receipt. */
const gatewayAnswer = z.looseObject({
  id: z.union([z.string().min(1), z.number()]).optional(),
  messageId: z.union([z.string().min(1), z.number()]).optional(),
})

function receiptOf(status: number, text: string): string {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return `HTTP ${status}`
  }
  const answer = gatewayAnswer.safeParse(json)
  const id = answer.success ? (answer.data.id ?? answer.data.messageId) : undefined
  return id === undefined ? `HTTP ${status}` : String(id)
}

export function smsChannel({ url, token, timeoutMs = DEFAULT_TIMEOUT_MS }: SmsChannelOptions): Channel {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {}
  return {
    name: 'sms',
    async send(message, to, recipient): Promise<DeliveryResult> {
      if (to.channel !== 'sms')
        return { ok: false, retryable: false, error: `not an SMS number: ${to.channel}` }
      const target = checkUrl(url.replaceAll('{to}', encodeURIComponent(to.phone)))
      if (!(target instanceof URL)) return target
      const body = JSON.stringify({ to: to.phone, text: renderSms(message, recipient.language) })
      const outcome = await postJson(target, body, headers, { timeoutMs, readAnswer: true })
      if (outcome.kind === 'failed') return outcome.result
      if (outcome.status < 200 || outcome.status >= 300) return failedStatus(outcome.status)
      return { ok: true, receipt: receiptOf(outcome.status, outcome.text) }
    },
  }
}
