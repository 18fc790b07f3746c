import { definitions } from '../../devices/index.js'
import type { Queryable } from './db.js'
import { readingJson } from './readings.js'

// The fleet at a glance: per device type, how many devices are online, silent, low on battery or weakly
// connected, from the device rows the telemetry writer keeps current (never by scanning readings); and the
// latest reading of many devices at once, one index probe per device.

export const LOW_BATTERY = 20
export const WEAK_RSSI = -90

export interface DeviceHealth {
  type: string
  total: number
  online: number
  offline: number
  neverSeen: number
  /** nothing heard for longer than twice the type's heartbeat */
  silent: number
  lowBattery: number
  weakSignal: number
  batteryMin: number | null
  batteryAvg: number | null
}

export async function deviceHealth(q: Queryable, sites: string[] | undefined, siteId?: string) {
  const { rows } = await q.query<DeviceHealth>(
    `SELECT d.type, count(*)::int AS total,
       count(*) FILTER (WHERE d.status = 'online')::int AS online,
       count(*) FILTER (WHERE d.status = 'offline')::int AS offline,
       count(*) FILTER (WHERE d.last_seen IS NULL)::int AS "neverSeen",
       count(*) FILTER (WHERE d.last_seen < now() - make_interval(secs => 2 * h.heartbeat))::int AS silent,
       count(*) FILTER (WHERE d.battery < $4)::int AS "lowBattery",
       count(*) FILTER (WHERE d.rssi < $5)::int AS "weakSignal",
       min(d.battery)::float8 AS "batteryMin", round(avg(d.battery)::numeric, 1)::float8 AS "batteryAvg"
     FROM devices d JOIN unnest($1::text[], $2::int[]) AS h(type, heartbeat) ON h.type = d.type
     WHERE ($3::text IS NULL OR d.site_id = $3) AND ($6::text[] IS NULL OR d.site_id = ANY($6))
     GROUP BY d.type ORDER BY d.type`,
    [
      definitions.map((d) => d.type),
      definitions.map((d) => d.heartbeatSeconds),
      siteId ?? null,
      LOW_BATTERY,
      WEAK_RSSI,
      sites ?? null,
    ],
  )
  return rows
}

/** The newest reading of each device of a site (or every site in scope), paged by device id. */
export async function latestReadings(
  q: Queryable,
  filter: { siteId?: string; type?: string; sites?: string[]; after?: string },
  limit: number,
) {
  const { rows } = await q.query(
    `SELECT d.id, d.type, r.ts, r.battery, r.rssi, r.m1, r.m2, r.m3, r.m4, r.data
     FROM devices d
     CROSS JOIN LATERAL (SELECT * FROM readings WHERE device_id = d.id ORDER BY ts DESC LIMIT 1) r
     WHERE ($1::text IS NULL OR d.site_id = $1) AND ($2::text IS NULL OR d.type = $2)
       AND ($3::text[] IS NULL OR d.site_id = ANY($3)) AND ($4::text IS NULL OR d.id > $4)
     ORDER BY d.id LIMIT $5`,
    [filter.siteId ?? null, filter.type ?? null, filter.sites ?? null, filter.after ?? null, limit],
  )
  return rows.map((r) => ({
    deviceId: r.id as string,
    type: r.type as string,
    reading: readingJson(r, r.type),
  }))
}
