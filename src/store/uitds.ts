import type { Db, Queryable } from './db.js'

// GB/T 26875.3 UITDs (CONTRACT: `POST/GET /api/v1/sites/{id}/uitds`), the component map behind each, and the
// link state the receiver supervises.

export interface UitdJson {
  id: string
  siteId: string
  address: string
  name: string
  linkTimeoutS: number
  linkState: 'unknown' | 'up' | 'lost'
  lastFrameAt: string | null
  /** the hub device its events, alerts and rejected frames belong to */
  deviceId: string
}

const COLUMNS = 'id, site_id, address, name, link_timeout_s, link_state, last_frame_at, device_id'

const json = (r: Record<string, unknown>): UitdJson => ({
  id: r.id as string,
  siteId: r.site_id as string,
  address: r.address as string,
  name: r.name as string,
  linkTimeoutS: r.link_timeout_s as number,
  linkState: r.link_state as UitdJson['linkState'],
  lastFrameAt: r.last_frame_at instanceof Date ? r.last_frame_at.toISOString() : null,
  deviceId: r.device_id as string,
})

/** A UITD and its hub device, in one transaction; the device has a secret nobody knows (it never logs in). */
export async function insertUitd(
  db: Db,
  u: { id: string; deviceId: string; siteId: string; address: string; name: string; linkTimeoutS: number },
  secretHash: Buffer,
): Promise<UitdJson> {
  const { rows } = await db.query(
    `WITH d AS (INSERT INTO devices (id, type, site_id, secret_hash) VALUES ($2, 'uitd', $3, $7) RETURNING id)
     INSERT INTO uitds (id, site_id, device_id, address, name, link_timeout_s)
     SELECT $1, $3, d.id, $4, $5, $6 FROM d RETURNING ${COLUMNS}`,
    [u.id, u.deviceId, u.siteId, u.address, u.name, u.linkTimeoutS, secretHash],
  )
  return json(rows[0]!)
}

export async function listUitds(q: Queryable, siteId: string): Promise<UitdJson[]> {
  const { rows } = await q.query(`SELECT ${COLUMNS} FROM uitds WHERE site_id = $1 ORDER BY created_at, id`, [
    siteId,
  ])
  return rows.map(json)
}

export async function getUitd(q: Queryable, siteId: string, id: string): Promise<UitdJson | null> {
  const { rows } = await q.query(`SELECT ${COLUMNS} FROM uitds WHERE site_id = $1 AND id = $2`, [siteId, id])
  return rows[0] ? json(rows[0]) : null
}

/** What the receiver needs to take a UITD's frames: its device and the site's time zone. */
export interface UitdLink {
  id: string
  address: string
  deviceId: string
  siteId: string
  residentId: null
  timezone: string
  linkState: UitdJson['linkState']
}

export async function uitdByAddress(q: Queryable, address: string): Promise<UitdLink | null> {
  const { rows } = await q.query<UitdLink>(
    `SELECT u.id, u.address, u.device_id AS "deviceId", u.site_id AS "siteId", NULL AS "residentId",
       s.timezone, u.link_state AS "linkState"
     FROM uitds u JOIN sites s ON s.id = u.site_id WHERE u.address = $1`,
    [address],
  )
  return rows[0] ?? null
}

/** Records when each UITD was last heard from (latest wins), and that its link is up. */
export async function recordFrames(q: Queryable, seen: Map<string, Date>) {
  if (seen.size === 0) return
  const ids = [...seen.keys()].sort()
  await q.query(
    `UPDATE uitds u SET last_frame_at = greatest(u.last_frame_at, s.at), link_state = 'up'
     FROM unnest($1::text[], $2::timestamptz[]) AS s(id, at) WHERE u.id = s.id`,
    [ids, ids.map((id) => seen.get(id)!)],
  )
}

/**
 * Marks lost, and returns, the UITDs silent past their linkTimeoutS (counted from registration when never
 * heard from). Claimed in one statement, so two hubs on one database report each loss once.
 */
export async function claimLostLinks(q: Queryable, now: Date) {
  const { rows } = await q.query<{ id: string; device_id: string; site_id: string; silent_since: Date }>(
    `UPDATE uitds u SET link_state = 'lost'
     WHERE u.id IN (SELECT id FROM uitds WHERE link_state <> 'lost'
       AND coalesce(last_frame_at, created_at) < $1::timestamptz - link_timeout_s * interval '1 second'
       ORDER BY id LIMIT 1000 FOR UPDATE SKIP LOCKED)
     RETURNING u.id, u.device_id, u.site_id, coalesce(u.last_frame_at, u.created_at) AS silent_since`,
    [now],
  )
  return rows
}

/** Marks a lost link back up; true when this call did (the caller then reports the restoral once). */
export async function claimRestoredLink(q: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await q.query(
    `UPDATE uitds SET link_state = 'up' WHERE id = $1 AND link_state = 'lost'`,
    [id],
  )
  return rowCount === 1
}

export interface ComponentPlace {
  systemAddress: number
  componentAddress: number
  location: { building?: string; floor?: string; zone?: string; room?: string }
}

/** Replaces or adds component places (an import is idempotent: the same CSV twice changes nothing). */
export async function upsertComponents(q: Queryable, uitdId: string, rows: ComponentPlace[]) {
  await q.query(
    `INSERT INTO uitd_components (uitd_id, system_address, component_address, location)
     SELECT $1, * FROM unnest($2::int[], $3::bigint[], $4::jsonb[])
     ON CONFLICT (uitd_id, system_address, component_address) DO UPDATE SET location = excluded.location`,
    [
      uitdId,
      rows.map((r) => r.systemAddress),
      rows.map((r) => r.componentAddress),
      rows.map((r) => JSON.stringify(r.location)),
    ],
  )
}

export async function listComponents(q: Queryable, uitdId: string): Promise<ComponentPlace[]> {
  const { rows } = await q.query<{
    system_address: number
    component_address: string
    location: ComponentPlace['location']
  }>(
    `SELECT system_address, component_address, location FROM uitd_components WHERE uitd_id = $1
     ORDER BY system_address, component_address`,
    [uitdId],
  )
  return rows.map((r) => ({
    systemAddress: r.system_address,
    componentAddress: Number(r.component_address),
    location: r.location,
  }))
}

/** The places of the given components of one UITD, keyed `system/component`. */
export async function componentPlaces(
  q: Queryable,
  uitdId: string,
  keys: { system: number; component: number }[],
) {
  const places = new Map<string, ComponentPlace['location']>()
  if (keys.length === 0) return places
  const { rows } = await q.query<{ k: string; location: ComponentPlace['location'] }>(
    `SELECT system_address || '/' || component_address AS k, location FROM uitd_components
     WHERE uitd_id = $1 AND (system_address, component_address) IN (SELECT * FROM unnest($2::int[], $3::bigint[]))`,
    [uitdId, keys.map((k) => k.system), keys.map((k) => k.component)],
  )
  for (const r of rows) places.set(r.k, r.location)
  return places
}
