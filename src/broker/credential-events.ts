import type { Logger } from 'pino'
import type { Db } from '../store/db.js'
import { listenChannel } from '../store/feed-listener.js'

// Ended credentials from every hub instance on the database (migration 029's NOTIFY on hub_credentials): a
// rotated or revoked device secret, a deleted device, a changed or deleted MQTT account. The embedded broker
// closes the owner's connections it holds, whichever instance served the API call.

export interface CredentialEnd {
  /** `device:<id>` or `account:<id>` */
  owner: string
  /** the old secret's grace end (its connections close then), or null: at once */
  endsAt: Date | null
  deleted: boolean
}

export function listenCredentialEnds(db: Db, log: Logger, onEnd: (e: CredentialEnd) => void) {
  return listenChannel(db, log, 'hub_credentials', (payload) => {
    if (payload === null) return // nothing to catch up: a CONNECT always checks the stored secret
    try {
      const p = JSON.parse(payload) as { owner: string; endsAt: string | null; deleted: boolean }
      onEnd({ owner: p.owner, endsAt: p.endsAt ? new Date(p.endsAt) : null, deleted: p.deleted })
    } catch (err) {
      log.warn({ err, payload }, 'unreadable credentials notification')
    }
  })
}
