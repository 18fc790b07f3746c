import { newId } from '../ids.js'
import type { Queryable } from './db.js'
import { issueSecret, parseCredential, sameHash, secretHash } from './secrets.js'
import type { User } from './users.js'

// API keys of integrations (README, "API keys"). A key acts as a user of its role over its scope: an
// institution's key as staff of its sites, a monitoring centre's as the county-centre of its district.

export const API_KEY_PREFIX = 'hubk_'
export const apiKeyRoles = ['staff', 'county-centre'] as const

const COLUMNS = `id, name, role, site_ids AS "siteIds", district, created_by AS "createdBy",
  created_at AS "createdAt"`

export interface ApiKey {
  id: string
  name: string
  role: (typeof apiKeyRoles)[number]
  siteIds: string[]
  district: string | null
  createdBy: string
  createdAt: Date
}

export const apiKeyJson = (k: ApiKey) => ({ ...k, createdAt: k.createdAt.toISOString() })

export async function createApiKey(
  q: Queryable,
  hashKey: string,
  k: Pick<ApiKey, 'name' | 'role' | 'siteIds' | 'district' | 'createdBy'>,
) {
  const id = newId('key')
  const { credential, hash } = issueSecret(API_KEY_PREFIX, id, hashKey)
  const { rows } = await q.query<ApiKey>(
    `INSERT INTO api_keys (id, name, role, site_ids, district, created_by, secret_hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
    [id, k.name, k.role, k.siteIds, k.district, k.createdBy, hash],
  )
  return { key: rows[0]!, credential }
}

export async function listApiKeys(q: Queryable): Promise<ApiKey[]> {
  return (await q.query<ApiKey>(`SELECT ${COLUMNS} FROM api_keys ORDER BY created_at, id`)).rows
}

export async function deleteApiKey(q: Queryable, id: string): Promise<ApiKey | null> {
  const { rows } = await q.query<ApiKey>(`DELETE FROM api_keys WHERE id = $1 RETURNING ${COLUMNS}`, [id])
  return rows[0] ?? null
}

/** The user a key acts as, or null for anything that is not a live key. */
export async function apiKeyUser(q: Queryable, hashKey: string, credential: string): Promise<User | null> {
  const parsed = parseCredential(API_KEY_PREFIX, credential)
  if (!parsed) return null
  const { rows } = await q.query<ApiKey & { secret_hash: string }>(
    `SELECT ${COLUMNS}, secret_hash FROM api_keys WHERE id = $1`,
    [parsed.id],
  )
  const k = rows[0]
  if (!k || !sameHash(k.secret_hash, secretHash(hashKey, parsed.secret))) return null
  return {
    id: k.id,
    username: `key:${k.name}`,
    role: k.role,
    disabled: false,
    siteIds: k.siteIds,
    district: k.district,
    residentIds: [],
  }
}
