import { randomBytes } from 'node:crypto'
import type { Queryable } from './db.js'

/**
 * A hub-wide secret: the configured value if given, otherwise one generated on first start and kept in the
 * database, so every hub process on that database agrees on it.
 */
export async function hubSecret(
  q: Queryable,
  key: string,
  configured: string | undefined,
  make: () => string,
) {
  if (configured) return configured
  await q.query('INSERT INTO hub_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [
    key,
    make(),
  ])
  const { rows } = await q.query<{ value: string }>('SELECT value FROM hub_settings WHERE key = $1', [key])
  return rows[0]!.value
}

export const randomKey = () => randomBytes(32).toString('base64url')

/** A Standard Webhooks signing secret: `whsec_` and 32 random bytes in base64. */
export const randomWebhookSecret = () => `whsec_${randomBytes(32).toString('base64')}`
