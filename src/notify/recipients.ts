import type { Alert } from '../core/alert.js'
import type { HubAlertSource } from '../core/alert-machine.js'
import type { Target } from '../core/escalation.js'
import type { Queryable } from '../store/db.js'
import type { RecipientInfo, TargetName } from '../store/notifications.js'
import type { Address, Language } from './channel.js'

// Who a step's targets are, right now, and how each can be reached. A target that reaches nobody is never
// silent: it becomes a hub-raised alert for the call centre (nobody on duty, a contact with no usable channel).

/** A person the hub can notify: a user, a shift's duty contact or a family member. */
export interface Contact {
  userId?: string | null
  shiftId?: string | null
  name: string
  phone?: string | null
  email?: string | null
  webhook?: string | null
  webhookSecret?: string | null
  language?: Language | null
}

/** Where people come from (users and rosters). */
export interface Directory {
  onDutyAt(q: Queryable, siteId: string, at: Date): Promise<Contact[]>
  supervisorsFor(q: Queryable, siteId: string | null): Promise<Contact[]>
  usersByIds(q: Queryable, ids: string[]): Promise<Contact[]>
}

export type LiveAddress = { channel: 'live' }

export interface Planned {
  target: TargetName
  recipient: RecipientInfo
  addresses: (Address | LiveAddress)[]
}

/** The alert's surroundings, loaded once per step. */
export interface AlertContext {
  site: { id: string; name: string; address: string; kind: string; timezone: string } | null
  resident: { id: string; name: string; contacts: (Contact & { relation?: string })[] } | null
  device: { id: string; type: string; location: Record<string, string> } | null
}

/** The surroundings of a batch of alerts, in one query, in the order given. */
export async function loadContexts(q: Queryable, alerts: Alert[]): Promise<AlertContext[]> {
  if (alerts.length === 0) return []
  const ids = (k: 'siteId' | 'residentId' | 'deviceId') => [
    ...new Set(alerts.flatMap((a) => (a[k] ? [a[k]] : []))),
  ]
  const { rows } = await q.query<{
    sites: Record<string, AlertContext['site']>
    residents: Record<string, AlertContext['resident']>
    devices: Record<string, AlertContext['device']>
  }>(
    `SELECT (SELECT coalesce(json_object_agg(id, json_build_object('id', id, 'name', name, 'address', address,
               'kind', kind, 'timezone', timezone)), '{}') FROM sites WHERE id = ANY($1::text[])) AS sites,
            (SELECT coalesce(json_object_agg(id, json_build_object('id', id, 'name', name, 'contacts', contacts)),
               '{}') FROM residents WHERE id = ANY($2::text[])) AS residents,
            (SELECT coalesce(json_object_agg(id, json_build_object('id', id, 'type', type, 'location', location)),
               '{}') FROM devices WHERE id = ANY($3::text[])) AS devices`,
    [ids('siteId'), ids('residentId'), ids('deviceId')],
  )
  const { sites, residents, devices } = rows[0]!
  return alerts.map((a) => ({
    site: (a.siteId ? sites[a.siteId] : null) ?? null,
    resident: (a.residentId ? residents[a.residentId] : null) ?? null,
    device: (a.deviceId ? devices[a.deviceId] : null) ?? null,
  }))
}

/**
 * A directory that asks each question once: a batch of steps at one `now` often asks who is on duty at the
 * same site, or for the same supervisors, many times. Use one per transaction (the answers are its snapshot).
 */
export function memoDirectory(d: Directory): Directory {
  const answers = new Map<string, Promise<Contact[]>>()
  const once = (key: string, ask: () => Promise<Contact[]>) => {
    let answer = answers.get(key)
    if (!answer) {
      answer = ask()
      answers.set(key, answer)
    }
    return answer
  }
  return {
    onDutyAt: (q, siteId, at) =>
      once(`duty\u0000${siteId}\u0000${at.getTime()}`, () => d.onDutyAt(q, siteId, at)),
    supervisorsFor: (q, siteId) => once(`supervisors\u0000${siteId}`, () => d.supervisorsFor(q, siteId)),
    usersByIds: (q, ids) => once(`users\u0000${ids.join('\u0000')}`, () => d.usersByIds(q, ids)),
  }
}

export interface ExpandOptions {
  directory: Directory
  /** the addresses a contact can be reached at over the configured channels */
  addressesFor: (c: Contact) => Address[]
  ackedContacts: number[]
  now: Date
}

const info = (c: Contact, extra: Partial<RecipientInfo> = {}): RecipientInfo => ({
  name: c.name,
  language: c.language ?? 'zh-CN',
  userId: c.userId ?? null,
  shiftId: c.shiftId ?? null,
  ...extra,
})

/** A user reads the console (the live feed) besides any channel of their own. */
function reach(target: TargetName, c: Contact, o: ExpandOptions, extra?: Partial<RecipientInfo>): Planned {
  const addresses: Planned['addresses'] = o.addressesFor(c)
  if (c.userId) addresses.unshift({ channel: 'live' })
  return { target, recipient: info(c, extra), addresses }
}

export async function expandTargets(
  q: Queryable,
  targets: Target[],
  alert: Alert,
  ctx: AlertContext,
  o: ExpandOptions,
): Promise<{ planned: Planned[]; problems: HubAlertSource[] }> {
  const planned: Planned[] = []
  const problems: HubAlertSource[] = []
  const problem = (
    alertType: HubAlertSource['alertType'],
    data: Record<string, unknown>,
    related: string | null = alert.id,
  ) =>
    problems.push({
      alertType,
      siteId: alert.siteId,
      residentId: alert.residentId,
      relatedAlertId: related,
      data,
    })

  for (const target of targets) {
    if (target === 'call-centre') {
      planned.push({
        target,
        recipient: { name: 'call centre', language: 'zh-CN' },
        addresses: [{ channel: 'live' }],
      })
    } else if (target === 'duty-staff') {
      if (!ctx.site) continue
      const onDuty = await o.directory.onDutyAt(q, ctx.site.id, o.now)
      // a home has no duty roster unless one was set up; an institution always must
      if (onDuty.length === 0 && ctx.site.kind === 'institution') {
        // one per site, whichever alert found the gap: repeats fold into it
        problem('nobody-on-duty', { target, site: ctx.site.name, alertId: alert.id }, null)
      }
      planned.push(...onDuty.map((c) => reach(target, c, o)))
    } else if (target === 'family') {
      if (!ctx.resident) continue
      if (ctx.resident.contacts.length === 0)
        problem('no-usable-channel', { target, reason: 'the resident has no contacts' })
      ctx.resident.contacts.forEach((c, contact) => {
        if (!o.ackedContacts.includes(contact)) planned.push(reach(target, c, o, { contact }))
      })
    } else if (target === 'supervisor') {
      const supervisors = await o.directory.supervisorsFor(q, alert.siteId)
      if (supervisors.length === 0)
        problem('no-usable-channel', { target, reason: 'no supervisor is set up' })
      planned.push(...supervisors.map((c) => reach(target, c, o)))
    } else {
      const users = await o.directory.usersByIds(q, [target.user])
      if (users.length === 0)
        problem('no-usable-channel', { target: 'user', userId: target.user, reason: 'no such enabled user' })
      planned.push(...users.map((c) => reach('user', c, o)))
    }
  }
  for (const p of planned) {
    if (p.addresses.length === 0) {
      problem('no-usable-channel', {
        target: p.target,
        contact: p.recipient.name,
        reason: 'no usable channel',
      })
    }
  }
  return { planned, problems }
}
