import { createHmac, timingSafeEqual } from 'node:crypto'

// The "I'm on my way" link in a family notification: a token that names the notification and its expiry, with
// an HMAC so that nobody can make one up. It has to fit in an SMS, so it is compact: `<id>.<expiry>.<mac>`, the
// expiry in base-36 seconds and the MAC truncated to 128 bits (plenty against forgery; nothing here is secret).
// The page the link opens is ack-page.ts.

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
