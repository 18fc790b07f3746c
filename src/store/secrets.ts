import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

// Credentials the hub hands out once and keeps only as a keyed hash: API keys and family invitations. The
// secret is 256 random bits, so a keyed SHA-256 is enough (no slow hash: there is nothing to guess).

/** `<prefix><id>.<secret>`: the id finds the row, the secret proves the holder. */
export function issueSecret(prefix: string, id: string, key: string) {
  const secret = randomBytes(32).toString('base64url')
  return { credential: `${prefix}${id}.${secret}`, hash: secretHash(key, secret) }
}

export function secretHash(key: string, secret: string): string {
  return createHmac('sha256', key).update(`credential.v1.${secret}`).digest('base64url')
}

/** The id and secret of a credential with this prefix, or null when it is not one. */
export function parseCredential(prefix: string, credential: string): { id: string; secret: string } | null {
  if (!credential.startsWith(prefix)) return null
  const m = credential.slice(prefix.length).match(/^([a-z]+_[0-9a-z]{1,40})\.([\w-]{20,100})$/)
  return m ? { id: m[1]!, secret: m[2]! } : null
}

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}
