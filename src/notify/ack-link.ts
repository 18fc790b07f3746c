import { createHmac, timingSafeEqual } from 'node:crypto'
import type { Language } from './channel.js'
import { alertTypeName, escapeHtml } from './templates.js'

// The "I'm on my way" link in a family notification: a token that names the notification and its expiry, with
// an HMAC so that nobody can make one up. It has to fit in an SMS, so it is compact: `<id>.<expiry>.<mac>`, the
// expiry in base-36 seconds and the MAC truncated to 128 bits (plenty against forgery; nothing here is secret).

const ID = /^[A-Za-z0-9_-]{1,64}$/
const TOKEN = /^([A-Za-z0-9_-]{1,64})\.([0-9a-z]{1,11})\.([A-Za-z0-9_-]{22})$/
const MAC_BYTES = 16

function mac(key: string, notificationId: string, expiry: string): string {
  // The "ack.v1" label keeps these MACs apart from anything else the same key signs.
  const digest = createHmac('sha256', key).update(`ack.v1.${notificationId}.${expiry}`).digest()
  return digest.subarray(0, MAC_BYTES).toString('base64url')
}

/** A URL-safe token for `notificationId`, valid until `expiresAt` (to the second). */
export function signAckToken(key: string, claims: { notificationId: string; expiresAt: Date }): string {
  if (!ID.test(claims.notificationId)) throw new Error(`not a notification id: ${claims.notificationId}`)
  const expiry = Math.floor(claims.expiresAt.getTime() / 1000).toString(36)
  return `${claims.notificationId}.${expiry}.${mac(key, claims.notificationId, expiry)}`
}

export type AckTokenResult =
  | { ok: true; notificationId: string }
  | { ok: false; reason: 'malformed' | 'forged' | 'expired' }

/** Checks a token; a forged token is reported as forged even when its claimed expiry has passed. */
export function verifyAckToken(key: string, token: string, now: Date): AckTokenResult {
  const m = TOKEN.exec(token)
  if (!m) return { ok: false, reason: 'malformed' }
  const [, notificationId = '', expiry = '', given = ''] = m
  // Compared as text: decoding would ignore the last character's spare bits and accept variants.
  if (!timingSafeEqual(Buffer.from(given), Buffer.from(mac(key, notificationId, expiry)))) {
    return { ok: false, reason: 'forged' }
  }
  if (now.getTime() >= Number.parseInt(expiry, 36) * 1000) return { ok: false, reason: 'expired' }
  return { ok: true, notificationId }
}

/** What the acknowledgement page shows about the alert, when the link is good. */
export interface AckSummary {
  type: string
  residentName?: string | null
  siteName?: string | null
}

export type AckView =
  /** GET: asks to confirm. A GET never acknowledges, since messaging apps open links to preview them. */
  | { kind: 'confirm'; summary: AckSummary; action: string }
  | { kind: 'done'; summary: AckSummary }
  | { kind: 'already'; summary: AckSummary }
  | { kind: 'invalid' }
  | { kind: 'expired' }

const words = {
  en: {
    title: 'Emergency alert',
    confirm: 'Let the care team know you are on your way.',
    button: "I'm on my way",
    done: 'Thank you. The care team knows you are on your way.',
    already: 'You have already told the care team you are on your way.',
    invalid: 'This link is not valid. Please call the care centre.',
    expired: 'This link has expired. Please call the care centre.',
  },
  'zh-CN': {
    title: '紧急报警',
    confirm: '请告知护理团队您正在赶来。',
    button: '我正在赶来',
    done: '谢谢，护理团队已知道您正在赶来。',
    already: '您已告知护理团队您正在赶来。',
    invalid: '此链接无效，请致电护理中心。',
    expired: '此链接已过期，请致电护理中心。',
  },
} satisfies Record<Language, Record<string, string>>

function summaryHtml(language: Language, s: AckSummary): string {
  const who = [s.residentName, s.siteName].filter(Boolean).join(' · ')
  return `<h1>${escapeHtml(alertTypeName(s.type, language))}</h1>${who ? `<p>${escapeHtml(who)}</p>` : ''}`
}

function bodyHtml(language: Language, view: AckView): string {
  const w = words[language]
  switch (view.kind) {
    case 'confirm':
      // The hidden field gives the POST a body, so the route needs only a form parser, not an empty-body rule.
      return `${summaryHtml(language, view.summary)}<p>${w.confirm}</p>
<form method="post" action="${escapeHtml(view.action)}"><input type="hidden" name="ack" value="1"><button type="submit">${w.button}</button></form>`
    case 'done':
      return `${summaryHtml(language, view.summary)}<p class="ok">${w.done}</p>`
    case 'already':
      return `${summaryHtml(language, view.summary)}<p class="ok">${w.already}</p>`
    case 'invalid':
      return `<h1>${w.title}</h1><p>${w.invalid}</p>`
    case 'expired':
      return `<h1>${w.title}</h1><p>${w.expired}</p>`
  }
}

/** A small self-contained HTML page (no external assets) for the acknowledgement link. */
export function ackPage(language: Language, view: AckView): string {
  return `<!doctype html>
<html lang="${language}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><meta name="referrer" content="no-referrer">
<title>${words[language].title}</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
h1{font-size:1.4rem}.ok{color:#146c2e}button{font-size:1.2rem;padding:.8rem 1.6rem;border:0;border-radius:.5rem;background:#b3261e;color:#fff}</style>
</head><body>
${bodyHtml(language, view)}
</body></html>
`
}
