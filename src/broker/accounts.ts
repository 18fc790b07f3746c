import type { Queryable } from '../store/db.js'
import { accountForLogin } from '../store/mqtt-accounts.js'
import { verifyDeviceSecret } from './device-secret.js'
import { filterWithin, topicMatches } from './topic-filter.js'

// MQTT accounts that are not devices: a username (never `dev_…`, which names devices), a hub-made secret, and
// the topic filters the account may publish and subscribe to. Nothing an account publishes reaches ingest.

export interface AccountSession {
  id: string
  publish: string[]
  subscribe: string[]
}

/** Device ids start with `dev_`; any other username is an account's. */
export const isAccountUsername = (username: string) => !username.startsWith('dev_')

/** The account whose username and secret these are, or null. */
export async function authenticateAccount(
  db: Queryable,
  secretKey: string,
  username: string,
  password: Buffer,
): Promise<AccountSession | null> {
  const row = await accountForLogin(db, username)
  if (!row || !verifyDeviceSecret(secretKey, password, row.secret_hash)) return null
  return { id: row.id, publish: row.publish, subscribe: row.subscribe }
}

export const accountMayPublish = (a: AccountSession, topic: string) =>
  a.publish.some((f) => topicMatches(f, topic))

export const accountMaySubscribe = (a: AccountSession, filter: string) =>
  a.subscribe.some((right) => filterWithin(filter, right))
