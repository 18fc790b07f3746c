import { createHmac, randomUUID } from 'node:crypto'
import { createSigner, createVerifier } from 'fast-jwt'
import { z } from 'zod'
import { roles } from '../store/users.js'

const claimsSchema = z.object({
  sub: z.string(),
  name: z.string(),
  role: z.enum(roles),
  /** the user's token epoch when issued: a password change or disabling moves it on, ending this token */
  ep: z.number().int(),
  /** this token's id, what logout revokes */
  jti: z.string(),
  /** expiry, in seconds since the epoch */
  exp: z.number(),
})

export type TokenClaims = z.infer<typeof claimsSchema>

/** Signed, expiring login tokens (HS256 JWT), keyed by a key derived from HUB_SECRET_KEY. */
export function tokenService(secretKey: string, ttlMs: number) {
  const key = createHmac('sha256', secretKey).update('login-tokens').digest()
  const sign = createSigner({ key, algorithm: 'HS256', expiresIn: ttlMs })
  const verify = createVerifier({ key, algorithms: ['HS256'] })
  return {
    issue(claims: Pick<TokenClaims, 'sub' | 'name' | 'role' | 'ep'>): { token: string; expiresAt: string } {
      const token = sign({ ...claims, jti: randomUUID() })
      return { token, expiresAt: new Date(Date.now() + ttlMs).toISOString() }
    },
    /** The claims, or null for anything malformed, forged, expired or issued before token ids existed. */
    check(token: string): TokenClaims | null {
      try {
        return claimsSchema.parse(verify(token))
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
