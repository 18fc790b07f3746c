import { definitions } from '../../devices/index.js'
import type { Queryable } from '../store/db.js'
import type { ResidentProfile, SavedState } from './rule.js'
import { type ActivitySetting, durationMs, minutesOf } from './setting.js'

// What the rules read from and write to the database: residents' profiles (refreshed when they change),
// the saved rule state, and which rule alerts stand. Never the readings table.

/** device types that report signs of life, and those that lie in a bed */
const activityTypes = definitions.filter((d) => d.activity).map((d) => d.type)
const bedTypes = definitions.filter((d) => 'out-of-bed' in d.events).map((d) => d.type)

export const DEFAULT_DAY = { from: 7 * 60, to: 22 * 60 }

interface ProfileRow {
  id: string
  site_id: string
  ability_level: number
  lives_alone: boolean
  activity: ActivitySetting | null
  timezone: string
  activity_devices: number
  bed_devices: number
}

export function toProfile(r: ProfileRow): ResidentProfile {
  const window = r.activity?.window
  return {
    id: r.id,
    siteId: r.site_id,
    abilityLevel: r.ability_level,
    livesAlone: r.lives_alone,
    day: {
      zone: r.timezone,
      ...(window ? { from: minutesOf(window.from), to: minutesOf(window.to) } : DEFAULT_DAY),
    },
    inactiveAfterMs: r.activity ? durationMs(r.activity.inactiveAfter) : null,
    activityDevices: r.activity_devices,
    bedDevices: r.bed_devices,
  }
}

/**
 * Residents' profiles: all of them, or those whose resident, site or devices changed after `since` (the
 * database's clock). Returns the database time the read began, for the next refresh.
 */
export async function loadProfiles(q: Queryable, since: Date | null) {
  const { rows: clock } = await q.query<{ t: Date }>('SELECT clock_timestamp() AS t')
  const { rows } = await q.query<ProfileRow>(
    `SELECT r.id, r.site_id, r.ability_level, r.lives_alone, r.activity, s.timezone,
       (SELECT count(*) FROM devices d WHERE d.resident_id = r.id AND d.type = ANY($1))::int AS activity_devices,
       (SELECT count(*) FROM devices d WHERE d.resident_id = r.id AND d.type = ANY($2))::int AS bed_devices
     FROM residents r JOIN sites s ON s.id = r.site_id
     WHERE $3::timestamptz IS NULL OR r.rules_changed_at > $3 OR s.rules_changed_at > $3
       OR r.id IN (SELECT resident_id FROM devices WHERE rules_changed_at > $3)`,
    [activityTypes, bedTypes, since],
  )
  return { profiles: rows.map(toProfile), at: clock[0]!.t }
}

export async function loadSaved(q: Queryable): Promise<Map<string, SavedState>> {
  const { rows } = await q.query<{ resident_id: string; last_activity: Date | null; state: SavedState }>(
    'SELECT resident_id, last_activity, state FROM resident_rule_state',
  )
  return new Map(
    rows.map((r) => [r.resident_id, { ...r.state, lastActivity: r.last_activity?.getTime() ?? undefined }]),
  )
}

export async function saveStates(q: Queryable, states: Map<string, SavedState>, at: Date) {
  if (states.size === 0) return
  const ids = [...states.keys()].sort()
  await q.query(
    `INSERT INTO resident_rule_state (resident_id, last_activity, state, saved_at)
     SELECT id, last, state, $4 FROM unnest($1::text[], $2::timestamptz[], $3::jsonb[]) AS u(id, last, state)
     WHERE EXISTS (SELECT 1 FROM residents r WHERE r.id = u.id)
     ON CONFLICT (resident_id) DO UPDATE SET last_activity = excluded.last_activity, state = excluded.state,
       saved_at = excluded.saved_at`,
    [
      ids,
      ids.map((id) => {
        const last = states.get(id)!.lastActivity
        return last === undefined ? null : new Date(last)
      }),
      ids.map((id) => {
        const { lastActivity: _, ...rest } = states.get(id)!
        return JSON.stringify(rest)
      }),
      at,
    ],
  )
}

export interface StandingRow {
  subject: string
  type: string
  opened: Date
  open: boolean
}

/** Per resident and rule alert type: when the latest opened, and whether one is unresolved. */
export async function residentStandings(q: Queryable, types: string[]) {
  const { rows } = await q.query<StandingRow>(
    `SELECT resident_id AS subject, type, max(opened_at) AS opened, bool_or(state <> 'resolved') AS open
     FROM alerts WHERE device_id IS NULL AND resident_id IS NOT NULL AND type = ANY($1)
     GROUP BY resident_id, type`,
    [types],
  )
  return rows
}

/**
 * Unresolved device alerts of the device rules' types, and devices whose battery is still under `ok` after a
 * low-battery alert (latched: an operator resolved it, but no new battery yet).
 */
export async function deviceStandings(q: Queryable, types: string[], batteryOk: number) {
  const { rows } = await q.query<StandingRow & { site_id: string; resident_id: string | null; low: boolean }>(
    `SELECT a.device_id AS subject, a.type, max(a.opened_at) AS opened, bool_or(a.state <> 'resolved') AS open,
       d.site_id, d.resident_id, coalesce(d.battery < $2, false) AS low
     FROM alerts a JOIN devices d ON d.id = a.device_id
     WHERE a.type = ANY($1) AND (a.state <> 'resolved' OR (a.type = 'low-battery' AND d.battery < $2))
     GROUP BY a.device_id, a.type, d.site_id, d.resident_id, d.battery`,
    [types, batteryOk],
  )
  return rows
}
