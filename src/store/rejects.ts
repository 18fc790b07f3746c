import type { Queryable } from './db.js'

/** A device's rejected payloads, newest first, for inspection (raw bytes as base64 and, if text, as text). */
export async function listRejected(q: Queryable, deviceId: string, limit: number, beforeId?: number) {
  const { rows } = await q.query<{
    id: number
    topic: string
    reason: string
    detail: string
    size: number
    raw: Buffer
    received_at: Date
  }>(
    `SELECT id, topic, reason, detail, size, raw, received_at FROM rejected_messages
     WHERE device_id = $1 AND ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $3`,
    [deviceId, beforeId ?? null, limit + 1],
  )
  const items = rows.slice(0, limit).map((r) => {
    const text = r.raw.toString('utf8')
    return {
      id: r.id,
      topic: r.topic,
      reason: r.reason,
      detail: r.detail,
      size: r.size,
      receivedAt: r.received_at.toISOString(),
      truncated: r.raw.length < r.size,
      raw: r.raw.toString('base64'),
      ...(!text.includes('\uFFFD') && { text }),
    }
  })
  return { items, next: rows.length > limit ? items.at(-1)?.id : undefined }
}
