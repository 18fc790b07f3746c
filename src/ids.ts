import { randomBytes } from 'node:crypto'

const alphabet = '0123456789abcdefghjkmnpqrstvwxyz'

/** Every kind of object with a generated id, by its prefix. */
export type IdPrefix =
  | 'site'
  | 'res'
  | 'dev'
  | 'alr'
  | 'usr'
  // people and rosters
  | 'shf'
  // escalation and notifications
  | 'pol'
  | 'esc'
  | 'ntf'
  // fire monitoring
  | 'mc'
  | 'sig'
  // topology and device commands
  | 'plc'
  | 'cmd'
  // welfare visits
  | 'vis'
  // integrations' API keys and family invitations
  | 'key'
  | 'inv'
  // MQTT accounts that are not devices
  | 'mqa'
  // GB/T 26875.3 user information transmission devices
  | 'uitd'

/** A prefixed random id, e.g. `dev_3k9x…`: 80 bits, lowercase, safe in MQTT topics and URLs. */
export function newId(prefix: IdPrefix): string {
  const bytes = randomBytes(16)
  let s = ''
  for (const b of bytes) s += alphabet[b & 31]
  return `${prefix}_${s}`
}
