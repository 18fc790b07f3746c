import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'
import { newId } from '../ids.js'
import type { Queryable } from './db.js'

// Human passwords get scrypt (slow on purpose); devices use keyed hashes instead (see device-secret.ts).

const scryptAsync = promisify(scrypt) as (
  pw: string,
  salt: Buffer,
  len: number,
  opts: object,
) => Promise<Buffer>
const PARAMS = { N: 16384, r: 8, p: 1 }

export const roles = ['admin', 'operator'] as const
export type Role = (typeof roles)[number]

export interface User {
  id: string
  username: string
  role: Role
  disabled: boolean
}

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
  const { rows } = await q.query<User & { password_hash: string }>(
    'SELECT id, username, role, disabled, password_hash FROM users WHERE username = $1',
    [username],
  )
  return rows[0] ?? null
}

export async function findUser(q: Queryable, id: string): Promise<User | null> {
  const { rows } = await q.query<User>('SELECT id, username, role, disabled FROM users WHERE id = $1', [id])
  return rows[0] ?? null
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
