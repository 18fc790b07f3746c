import type { LiveKind, LiveMessage } from '../contract/live.js'
import type { Queryable } from './db.js'

// The stored live feed. Appends run inside the transaction of the change they describe.

/**
 * Takes the next seqs from feed_counter and stores the messages. The counter row stays locked until the
 * transaction ends, so a later seq can never commit before an earlier one: seq order is commit order.
 * Callers append last in their transaction, to hold that lock as briefly as possible.
 */
export async function appendFeed(
  q: Queryable,
  items: { kind: LiveKind; data: LiveMessage['data'] }[],
): Promise<LiveMessage[]> {
  if (items.length === 0) return []
  const { rows } = await q.query<{ seq: number }>('UPDATE feed_counter SET seq = seq + $1 RETURNING seq', [
    items.length,
  ])
  const last = rows[0]!.seq
  const messages = items.map((m, i) => ({ seq: last - items.length + 1 + i, kind: m.kind, data: m.data }))
  await q.query(
    'INSERT INTO feed (seq, kind, data) SELECT * FROM unnest($1::bigint[], $2::text[], $3::json[])',
    [messages.map((m) => m.seq), messages.map((m) => m.kind), messages.map((m) => JSON.stringify(m.data))],
  )
  return messages as LiveMessage[]
}

export async function feedAfter(q: Queryable, since: number, limit: number): Promise<LiveMessage[]> {
  const { rows } = await q.query<LiveMessage>(
    'SELECT seq, kind, data FROM feed WHERE seq > $1 ORDER BY seq LIMIT $2',
    [since, limit],
  )
  return rows
}

/** The oldest kept seq (null when the feed is empty) and the newest ever issued. */
export async function feedBounds(q: Queryable): Promise<{ oldest: number | null; newest: number }> {
  const { rows } = await q.query<{ oldest: number | null; newest: number }>(
    'SELECT (SELECT min(seq) FROM feed) AS oldest, (SELECT seq FROM feed_counter) AS newest',
  )
  return rows[0]!
}

export async function pruneFeed(q: Queryable, keepMs: number): Promise<number> {
  const { rowCount } = await q.query("DELETE FROM feed WHERE at < now() - $1 * interval '1 millisecond'", [
    keepMs,
  ])
  return rowCount ?? 0
}
