import type { Queryable } from './db.js'

// Login throttling per username (migration 018). An attempt is counted as a failure *before* the password is
// checked, in one statement that refuses while the username is blocked, so a burst of parallel guesses cannot
// all slip in before the first failure is written; a right password then clears the count.

/** Wrong passwords allowed before the back-off starts, and before the account locks. */
export const BACKOFF_FROM = 5
export const LOCK_FROM = 10
export const LOCK_SECONDS = 15 * 60

/** Seconds blocked after the n-th consecutive failure: 1, 2, 4, 8, 16 s, then locked. */
export const blockSeconds = (n: number) =>
  n >= LOCK_FROM ? LOCK_SECONDS : n >= BACKOFF_FROM ? 2 ** (n - BACKOFF_FROM) : 0

export type Attempt =
  | { allowed: true; failures: number; blockedUntil: Date | null }
  | { allowed: false; locked: boolean; blockedUntil: Date }

export async function takeAttempt(q: Queryable, username: string): Promise<Attempt> {
  await q.query("DELETE FROM login_failures WHERE updated_at < now() - interval '1 day'")
  const { rows } = await q.query<{ failures: number; blocked_until: Date | null }>(
    `INSERT INTO login_failures AS f (username, failures) VALUES ($1, 1)
     ON CONFLICT (username) DO UPDATE SET failures = f.failures + 1, updated_at = now(),
       blocked_until = now() + make_interval(secs => CASE
         WHEN f.failures + 1 >= $2 THEN $4 WHEN f.failures + 1 >= $3 THEN 2 ^ (f.failures + 1 - $3) ELSE 0 END)
     WHERE f.blocked_until IS NULL OR f.blocked_until <= now()
     RETURNING failures, blocked_until`,
    [username, LOCK_FROM, BACKOFF_FROM, LOCK_SECONDS],
  )
  if (rows[0]) return { allowed: true, failures: rows[0].failures, blockedUntil: rows[0].blocked_until }
  const { rows: held } = await q.query<{ failures: number; blocked_until: Date }>(
    'SELECT failures, blocked_until FROM login_failures WHERE username = $1',
    [username],
  )
  const h = held[0]
  // cleared by a right password between the two statements: just try again
  if (!h) return { allowed: false, locked: false, blockedUntil: new Date(Date.now() + 1000) }
  return { allowed: false, locked: h.failures >= LOCK_FROM, blockedUntil: h.blocked_until }
}

/** A right password, or an admin setting a new one: the count starts again. */
export async function clearFailures(q: Queryable, username: string) {
  await q.query('DELETE FROM login_failures WHERE username = $1', [username])
}
