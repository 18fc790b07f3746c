import { newId } from '../ids.js'
import type { Queryable } from './db.js'
import { issueSecret, parseCredential, sameHash, secretHash } from './secrets.js'

// Single-use invitations for a family member to get an account scoped to one resident (README, "Family").

export const INVITE_PREFIX = 'hubinv_'

export async function createInvite(
  q: Queryable,
  hashKey: string,
  i: { residentId: string; createdBy: string; expiresAt: Date },
) {
  const id = newId('inv')
  const { credential, hash } = issueSecret(INVITE_PREFIX, id, hashKey)
  await q.query(
    `INSERT INTO family_invites (id, resident_id, secret_hash, created_by, expires_at)
     VALUES ($1, $2, $3, $4, $5)`,
    [id, i.residentId, hash, i.createdBy, i.expiresAt],
  )
  return { id, credential }
}

export type InviteCheck =
  | { ok: true; id: string; residentId: string }
  | { ok: false; reason: 'unknown' | 'used' | 'expired' }

/**
 * Locks the invitation a credential names and says whether it may still be used; the caller marks it used
 * in the same transaction (useInvite), so two people racing with one link cannot both get an account.
 */
export async function lockInvite(q: Queryable, hashKey: string, credential: string): Promise<InviteCheck> {
  const parsed = parseCredential(INVITE_PREFIX, credential)
  if (!parsed) return { ok: false, reason: 'unknown' }
  const { rows } = await q.query<{
    resident_id: string
    secret_hash: string
    used: boolean
    expired: boolean
  }>(
    `SELECT resident_id, secret_hash, used_at IS NOT NULL AS used, expires_at <= now() AS expired
     FROM family_invites WHERE id = $1 FOR UPDATE`,
    [parsed.id],
  )
  const row = rows[0]
  if (!row || !sameHash(row.secret_hash, secretHash(hashKey, parsed.secret)))
    return { ok: false, reason: 'unknown' }
  if (row.used) return { ok: false, reason: 'used' }
  if (row.expired) return { ok: false, reason: 'expired' }
  return { ok: true, id: parsed.id, residentId: row.resident_id }
}

export async function useInvite(q: Queryable, id: string) {
  await q.query('UPDATE family_invites SET used_at = now() WHERE id = $1', [id])
}
