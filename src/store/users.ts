import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'
import { newId } from '../ids.js'
import type { Queryable } from './db.js'
import { resourceStore } from './resources.js'

// Human passwords get scrypt (slow on purpose); devices use keyed hashes instead (see device-secret.ts).

const scryptAsync = promisify(scrypt) as (
  pw: string,
  salt: Buffer,
  len: number,
  opts: object,
) => Promise<Buffer>
const PARAMS = { N: 16384, r: 8, p: 1 }

export const roles = ['admin', 'supervisor', 'operator', 'staff', 'county-centre', 'family'] as const
export type Role = (typeof roles)[number]
export const languages = ['zh-CN', 'en'] as const
export type Language = (typeof languages)[number]

/** Who is behind a request: read on every request, so a change takes effect at once. */
export interface User {
  id: string
  username: string
  role: Role
  disabled: boolean
  /** staff: the only sites they see; supervisor: the sites they supervise (empty = all) */
  siteIds: string[]
  /** county-centre: the district whose institutions it watches */
  district: string | null
  /** family: the relatives whose alerts it sees */
  residentIds: string[]
}

const USER_COLUMNS =
  'id, username, role, disabled, site_ids AS "siteIds", district, resident_ids AS "residentIds"'

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const hash = await scryptAsync(password, salt, 32, PARAMS)
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64')}$${hash.toString('base64')}`
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, N, r, p, salt, hash] = stored.split('$')
  if (scheme !== 'scrypt' || !salt || !hash) return false
  const expected = Buffer.from(hash, 'base64')
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(N),
    r: Number(r),
    p: Number(p),
  })
  return timingSafeEqual(actual, expected)
}

export async function findUserByName(q: Queryable, username: string) {
  const { rows } = await q.query<User & { password_hash: string; tokenEpoch: number }>(
    `SELECT ${USER_COLUMNS}, password_hash, token_epoch AS "tokenEpoch" FROM users WHERE username = $1`,
    [username],
  )
  return rows[0] ?? null
}

/**
 * The user a token names, with what decides whether the token still counts: the user's current token epoch
 * and whether this token id was revoked (one primary-key lookup, in the same round trip).
 */
export async function findTokenUser(q: Queryable, id: string, tokenId: string) {
  const { rows } = await q.query<User & { tokenEpoch: number; revoked: boolean }>(
    `SELECT ${USER_COLUMNS}, token_epoch AS "tokenEpoch",
            EXISTS (SELECT 1 FROM revoked_tokens WHERE id = $2) AS revoked
     FROM users WHERE id = $1`,
    [id, tokenId],
  )
  return rows[0] ?? null
}

/** Ends one token (logout); rows of tokens that have expired anyway are cleared on the way. */
export async function revokeToken(q: Queryable, tokenId: string, expiresAt: Date) {
  await q.query('DELETE FROM revoked_tokens WHERE expires_at < now()')
  await q.query('INSERT INTO revoked_tokens (id, expires_at) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
    tokenId,
    expiresAt,
  ])
}

/** Ends every token the user holds now (password change, disabling); later logins get the new epoch. */
export async function endUserTokens(q: Queryable, id: string): Promise<number> {
  const { rows } = await q.query<{ token_epoch: number }>(
    'UPDATE users SET token_epoch = token_epoch + 1 WHERE id = $1 RETURNING token_epoch',
    [id],
  )
  return rows[0]?.token_epoch ?? 0
}

/**
 * Creates `admin` on first start. Returns the generated password when none was configured (to be printed
 * once), or null when the user already existed or the password was given. Safe with two hubs starting.
 */
export async function ensureAdmin(q: Queryable, configured: string | undefined): Promise<string | null> {
  const { rowCount } = await q.query('SELECT 1 FROM users LIMIT 1')
  if (rowCount) return null
  const password = configured ?? randomBytes(12).toString('base64url')
  const { rowCount: created } = await q.query(
    `INSERT INTO users (id, username, password_hash, role) VALUES ($1, 'admin', $2, 'admin')
     ON CONFLICT (username) DO NOTHING`,
    [newId('usr'), await hashPassword(password)],
  )
  return created && !configured ? password : null
}

/** Contact fields users and shifts share: API field → column. */
export const contactColumns = {
  name: { column: 'name' },
  phone: { column: 'phone' },
  email: { column: 'email' },
  webhook: { column: 'webhook' },
  webhookSecret: { column: 'webhook_secret' },
  language: { column: 'language' },
}

type Row = Record<string, unknown>

/** The contact fields of a users or shifts row as JSON; never the webhook secret. */
export const contactJson = (r: Row) => ({
  name: r.name as string | null,
  phone: r.phone as string | null,
  email: r.email as string | null,
  webhook: r.webhook as string | null,
  language: r.language as Language,
})

/** Users as the API shows them: never the password hash nor the webhook secret. */
export const userRecords = resourceStore({
  table: 'users',
  search: ['username', 'name', 'phone', 'email'],
  fields: {
    ...contactColumns,
    username: { column: 'username' },
    passwordHash: { column: 'password_hash' },
    role: { column: 'role' },
    disabled: { column: 'disabled' },
    siteIds: { column: 'site_ids' },
    district: { column: 'district' },
    residentIds: { column: 'resident_ids' },
    // the ?siteId= filter: users whose siteIds contain it
    siteId: { column: 'site_ids', any: true },
  },
  toJson: (r: Row) => ({
    id: r.id as string,
    username: r.username as string,
    role: r.role as Role,
    disabled: r.disabled as boolean,
    ...contactJson(r),
    siteIds: r.site_ids as string[],
    district: r.district as string | null,
    residentIds: r.resident_ids as string[],
    createdAt: (r.created_at as Date).toISOString(),
  }),
})

/**
 * Locks and returns the enabled admins. Two admins demoting each other at once serialise here, and the
 * second re-reads the first's change, so the last enabled admin can never be removed.
 */
export async function lockEnabledAdmins(q: Queryable): Promise<string[]> {
  const { rows } = await q.query<{ id: string }>(
    "SELECT id FROM users WHERE role = 'admin' AND NOT disabled ORDER BY id FOR UPDATE",
  )
  return rows.map((r) => r.id)
}

/** The name to show others for each username (its `name`, else the username), e.g. on a family's alert page. */
export async function displayNames(q: Queryable, usernames: string[]): Promise<Map<string, string>> {
  const { rows } = await q.query<{ username: string; shown: string }>(
    'SELECT username, coalesce(name, username) AS shown FROM users WHERE username = ANY($1)',
    [usernames],
  )
  return new Map(rows.map((r) => [r.username, r.shown]))
}
