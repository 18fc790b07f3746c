import type { Queryable } from './db.js'
import { resourceStore } from './resources.js'

// MQTT accounts as the API shows them (never the secret hash), and their row for authentication at CONNECT.

type Row = Record<string, unknown>

export const mqttAccounts = resourceStore({
  table: 'mqtt_accounts',
  search: ['id', 'username', 'name'],
  fields: {
    username: { column: 'username' },
    name: { column: 'name' },
    publish: { column: 'publish' },
    subscribe: { column: 'subscribe' },
    disabled: { column: 'disabled' },
    secretHash: { column: 'secret_hash' },
  },
  toJson: (r: Row) => ({
    id: r.id as string,
    username: r.username as string,
    name: r.name as string,
    publish: r.publish as string[],
    subscribe: r.subscribe as string[],
    disabled: r.disabled as boolean,
    createdAt: (r.created_at as Date).toISOString(),
  }),
})

export interface AccountAuthRow {
  id: string
  secret_hash: Buffer
  publish: string[]
  subscribe: string[]
}

/** An enabled account by its username, for CONNECT. */
export async function accountForLogin(q: Queryable, username: string): Promise<AccountAuthRow | undefined> {
  const { rows } = await q.query<AccountAuthRow>(
    'SELECT id, secret_hash, publish, subscribe FROM mqtt_accounts WHERE username = $1 AND NOT disabled',
    [username],
  )
  return rows[0]
}
