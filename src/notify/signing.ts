import { createHmac, timingSafeEqual } from 'node:crypto'

// Standard Webhooks (https://www.standardwebhooks.com/, "Signature scheme"): HMAC-SHA256 over
// "<webhook-id>.<webhook-timestamp>.<body>", base64, sent as "v1,<signature>". Keeping to the spec exactly lets
// an integrator verify our requests with any Standard Webhooks (or Svix) library instead of our code.

export type WebhookHeaders = {
  'webhook-id': string
  'webhook-timestamp': string
  'webhook-signature': string
}

const SECRET_PREFIX = 'whsec_'

/** The HMAC key: a `whsec_<base64>` secret's decoded bytes, any other secret's UTF-8 bytes. */
export function webhookKey(secret: string): Buffer {
  const key = secret.startsWith(SECRET_PREFIX)
    ? Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64')
    : Buffer.from(secret, 'utf8')
  // An empty key would make every signature forgeable.
  if (key.length === 0) throw new Error('a webhook secret must not be empty')
  return key
}

function sign(key: Buffer, id: string, timestamp: string, body: string | Buffer): string {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64')
}

/** The three headers of a signed request. `body` is the exact bytes sent. */
export function signWebhook(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string | Buffer,
): WebhookHeaders {
  const timestamp = String(Math.floor(timestampSeconds))
  return {
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': `v1,${sign(webhookKey(secret), id, timestamp, body)}`,
  }
}

export type VerifyFailure = 'missing-headers' | 'bad-timestamp' | 'too-old' | 'too-new' | 'no-match'

export interface VerifyOptions {
  /** how far the timestamp may be from `now`, either way; the spec's reference libraries use 5 minutes */
  toleranceSeconds?: number
  now?: Date
}

type HeaderBag = Record<string, string | string[] | undefined>

function header(headers: HeaderBag, name: string): string | undefined {
  const v = headers[name]
  return Array.isArray(v) ? v[0] : v
}

/**
 * Checks a received request, for receivers (and tests). `headers` has lower-case names, as Node gives them;
 * `rawBody` must be the bytes received, not re-serialised JSON. Any one of several space-separated `v1,`
 * signatures may match (senders list several while rotating secrets).
 */
export function verifyWebhook(
  secret: string,
  headers: HeaderBag,
  rawBody: string | Buffer,
  { toleranceSeconds = 300, now = new Date() }: VerifyOptions = {},
): { ok: true } | { ok: false; reason: VerifyFailure } {
  const id = header(headers, 'webhook-id')
  const timestamp = header(headers, 'webhook-timestamp')
  const signatures = header(headers, 'webhook-signature')
  if (!id || !timestamp || !signatures) return { ok: false, reason: 'missing-headers' }
  if (!/^\d{1,15}$/.test(timestamp)) return { ok: false, reason: 'bad-timestamp' }
  const age = now.getTime() / 1000 - Number(timestamp)
  if (age > toleranceSeconds) return { ok: false, reason: 'too-old' }
  if (age < -toleranceSeconds) return { ok: false, reason: 'too-new' }

  // Compared as text, as the reference libraries do: decoding base64 would ignore spare bits and accept variants.
  const expected = Buffer.from(sign(webhookKey(secret), id, timestamp, rawBody))
  for (const candidate of signatures.split(' ')) {
    const [version, value] = candidate.split(',', 2)
    if (version !== 'v1' || !value) continue
    const given = Buffer.from(value)
    // timingSafeEqual needs equal lengths; a length mismatch reveals nothing about the key.
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true }
  }
  return { ok: false, reason: 'no-match' }
}
