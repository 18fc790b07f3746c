import type { Queryable } from './db.js'

// Rotating and revoking a device's secret. Only hashes are stored (HMAC under the hub's secret key).

/**
 * Sets a new secret hash. With `graceMs` > 0 the current secret keeps working until then; with 0 it stops at
 * once. Answers when the old secret ends (null: now), or undefined for an unknown device.
 */
export async function rotateDeviceSecret(
  q: Queryable,
  id: string,
  secretHash: Buffer,
  graceMs: number,
): Promise<{ oldSecretUntil: Date | null } | undefined> {
  const { rows } = await q.query<{ old_secret_until: Date | null }>(
    `UPDATE devices SET
       old_secret_hash = CASE WHEN $3::bigint > 0 THEN secret_hash END,
       old_secret_until = CASE WHEN $3::bigint > 0 THEN now() + $3::bigint * interval '1 millisecond' END,
       secret_hash = $2
     WHERE id = $1 RETURNING old_secret_until`,
    [id, secretHash, graceMs],
  )
  return rows[0] && { oldSecretUntil: rows[0].old_secret_until }
}
