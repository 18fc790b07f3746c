import { createHmac } from 'node:crypto'
import { createSigner, createVerifier } from 'fast-jwt'
import type { Role } from '../store/users.js'

export interface TokenClaims {
  sub: string
  name: string
  role: Role
}

/** Signed, expiring login tokens (HS256 JWT), keyed by a key derived from HUB_SECRET_KEY. */
export function tokenService(secretKey: string, ttlMs: number) {
  const key = createHmac('sha256', secretKey).update('login-tokens').digest()
  const sign = createSigner({ key, algorithm: 'HS256', expiresIn: ttlMs })
  const verify = createVerifier({ key, algorithms: ['HS256'] })
  return {
    issue(claims: TokenClaims): { token: string; expiresAt: string } {
      const token = sign({ ...claims })
      return { token, expiresAt: new Date(Date.now() + ttlMs).toISOString() }
    },
    /** The claims, or null for anything malformed, forged or expired. */
    check(token: string): TokenClaims | null {
      try {
        return verify(token) as TokenClaims
      } catch {
        return null
      }
    },
  }
}

export type TokenService = ReturnType<typeof tokenService>

export function bearer(header: string | undefined): string | null {
  const m = header?.match(/^Bearer\s+(\S+)$/i)
  return m?.[1] ?? null
}
