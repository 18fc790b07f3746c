import type { CommandJson, CommandState } from '../contract/command-json.js'
import type { LiveMessage } from '../contract/live.js'
import { type Db, type Queryable, withTransaction } from './db.js'
import { appendFeed } from './feed.js'

// Device commands (migration 005). Every change is written with its `command.updated` live-feed message in
// one transaction; callers put the returned messages on the bus after the commit.

type Row = Record<string, unknown>

const toJson = (r: Row): CommandJson => ({
  id: r.id as string,
  deviceId: r.device_id as string,
  siteId: r.site_id as string,
  cmd: r.cmd as string,
  requestedBy: r.requested_by as string,
  sentAt: (r.sent_at as Date).toISOString(),
  state: r.state as CommandState,
  result: r.result as CommandJson['result'],
  updatedAt: (r.updated_at as Date).toISOString(),
})

async function withFeed(db: Db, sql: string, args: unknown[]) {
  return withTransaction(db, async (tx) => {
    const { rows } = await tx.query<Row>(sql, args)
    const command = rows[0] ? toJson(rows[0]) : null
    const messages: LiveMessage[] = command
      ? await appendFeed(tx, [{ kind: 'command.updated', data: command }])
      : []
    return { command, messages }
  })
}

export function insertCommand(
  db: Db,
  c: { id: string; deviceId: string; siteId: string; cmd: string; requestedBy: string; at: Date },
) {
  return withFeed(
    db,
    `INSERT INTO device_commands (id, device_id, site_id, cmd, requested_by, sent_at, state, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, 'sent', $6) RETURNING *`,
    [c.id, c.deviceId, c.siteId, c.cmd, c.requestedBy, c.at],
  )
}

/**
 * Moves a command of the device on, only from the states given (a late PUBACK never undoes a result, and a
 * retransmitted result changes nothing): null when it did not apply.
 */
export function advanceCommand(
  db: Db,
  u: { id: string; deviceId: string; from: CommandState[]; to: CommandState; result?: unknown },
) {
  return withFeed(
    db,
    `UPDATE device_commands SET state = $3, result = coalesce($5::jsonb, result), updated_at = now()
     WHERE id = $1 AND device_id = $2 AND state = ANY($4::text[]) RETURNING *`,
    [u.id, u.deviceId, u.to, u.from, u.result === undefined ? null : JSON.stringify(u.result)],
  )
}

/** The device's commands, newest first; pages by (sent_at, id). */
export async function listCommands(
  q: Queryable,
  deviceId: string,
  limit: number,
  before?: { at: string; id: string },
) {
  const { rows } = await q.query<Row>(
    `SELECT * FROM device_commands WHERE device_id = $1
       AND ($2::timestamptz IS NULL OR (sent_at, id) < ($2, $3))
     ORDER BY sent_at DESC, id DESC LIMIT $4`,
    [deviceId, before?.at ?? null, before?.id ?? null, limit + 1],
  )
  const items = rows.slice(0, limit).map(toJson)
  const last = items.at(-1)
  return { items, next: rows.length > limit && last ? { at: last.sentAt, id: last.id } : undefined }
}
