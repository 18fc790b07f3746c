import { type Db, withTransaction } from './db.js'

// The paid-channel budget (README, "Abuse limits"): a notification may go out on a paid channel only while its
// resident and its contact address are under their hourly caps. Counted in the database, so every hub process
// shares one budget; advisory locks on the resident and the address make the count exact under concurrency.

export interface PaidSend {
  notificationId: string
  channel: string
  residentId: string | null
  contact: string
  at: Date
}

export interface Caps {
  perResident: number
  perContact: number
}

export type Verdict = { ok: true } | { ok: false; over: 'resident' | 'contact'; cap: number }

const HOUR_MS = 3_600_000

/** Takes one send from the budget, or says which cap it would break. A retry of a counted notification is free. */
export async function takePaidSend(db: Db, s: PaidSend, caps: Caps): Promise<Verdict> {
  return withTransaction(db, async (tx) => {
    const keys = [
      `paid-contact:${s.contact}`,
      ...(s.residentId ? [`paid-resident:${s.residentId}`] : []),
    ].sort()
    for (const key of keys) await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [key])
    const { rows } = await tx.query<{ counted: boolean; resident: number; contact: number }>(
      `SELECT EXISTS (SELECT 1 FROM paid_sends WHERE notification_id = $1) AS counted,
         (SELECT count(*)::int FROM paid_sends WHERE resident_id = $2 AND at > $4) AS resident,
         (SELECT count(*)::int FROM paid_sends WHERE contact = $3 AND at > $4) AS contact`,
      [s.notificationId, s.residentId, s.contact, new Date(s.at.getTime() - HOUR_MS)],
    )
    const r = rows[0]!
    if (r.counted) return { ok: true }
    if (s.residentId && r.resident >= caps.perResident)
      return { ok: false, over: 'resident', cap: caps.perResident }
    if (r.contact >= caps.perContact) return { ok: false, over: 'contact', cap: caps.perContact }
    await tx.query(
      'INSERT INTO paid_sends (notification_id, channel, resident_id, contact, at) VALUES ($1, $2, $3, $4, $5)',
      [s.notificationId, s.channel, s.residentId, s.contact, s.at],
    )
    await tx.query('DELETE FROM paid_sends WHERE at < $1', [new Date(s.at.getTime() - 2 * HOUR_MS)])
    return { ok: true }
  })
}
