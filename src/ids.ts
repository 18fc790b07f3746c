import { randomBytes } from 'node:crypto'

const alphabet = '0123456789abcdefghjkmnpqrstvwxyz'

/** A prefixed random id, e.g. `dev_3k9x…`: 80 bits, lowercase, safe in MQTT topics and URLs. */
export function newId(prefix: 'site' | 'res' | 'dev' | 'alr' | 'usr'): string {
  const bytes = randomBytes(16)
  let s = ''
  for (const b of bytes) s += alphabet[b & 31]
  return `${prefix}_${s}`
}
