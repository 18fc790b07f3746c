import nodemailer from 'nodemailer'
import type { Channel, DeliveryResult } from '../channel.js'
import { renderEmail } from '../templates.js'

// E-mail through SMTP (nodemailer), in the recipient's language. The receipt is the SMTP server's acceptance
// of this recipient ("250 …"): that is as far as SMTP can confirm, and it is never reported for a recipient
// the server refused.

export interface EmailChannelOptions {
  /** e.g. smtp://user:pass@127.0.0.1:2525, smtps://… for TLS from the start */
  smtpUrl: string
  from: string
  timeoutMs?: number
}

/** nodemailer's error fields that say what went wrong */
interface SmtpError extends Error {
  code?: string
  responseCode?: number
  response?: string
}

function failure(err: SmtpError): Extract<DeliveryResult, { ok: false }> {
  // SMTP 5xx is permanent (unknown mailbox, refused sender, bad login); 4xx and network trouble may pass.
  const permanent = err.responseCode !== undefined && err.responseCode >= 500
  return { ok: false, retryable: !permanent, error: err.response ?? `${err.code ?? 'error'}: ${err.message}` }
}

const addressOf = (a: string | { address: string }) => (typeof a === 'string' ? a : a.address).toLowerCase()

export function emailChannel({ smtpUrl, from, timeoutMs = 30_000 }: EmailChannelOptions): Channel {
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  })
  const domain = from.split('@').at(-1)?.replace(/[>\s]/g, '') || 'eldercare-hub'
  return {
    name: 'email',
    async send(message, to, recipient): Promise<DeliveryResult> {
      if (to.channel !== 'email')
        return { ok: false, retryable: false, error: `not an e-mail address: ${to.channel}` }
      const { subject, text, html } = renderEmail(message, recipient)
      try {
        const info = await transport.sendMail({
          from,
          to: { name: recipient.name, address: to.email },
          subject,
          text,
          html,
          // One Message-ID per notification, so a retry after a lost answer is a duplicate mail systems can drop.
          messageId: `<${message.notificationId}@${domain}>`,
          headers: { 'X-Eldercare-Notification': message.notificationId },
        })
        const accepted = info.accepted.map(addressOf)
        if (!accepted.includes(to.email.toLowerCase())) {
          return { ok: false, retryable: true, error: `not accepted: ${info.response}` }
        }
        return { ok: true, receipt: info.response }
      } catch (err) {
        return failure(err as SmtpError)
      }
    },
  }
}
