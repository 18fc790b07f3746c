import { z } from 'zod'
import { outboundRefusal } from '../outbound.js'
import { languages } from '../store/users.js'

// How a person is reached, validated the same way for a resident's family contacts, users and shifts.

/** A URL the hub will send to: not a loopback, private or link-local address (unless HUB_OUTBOUND_ALLOW). */
export const noPrivateTarget = {
  check: (url: string) => outboundRefusal(url) === null,
  params: {
    error: (iss: { input?: unknown }) =>
      `may not point at ${outboundRefusal(String(iss.input)) ?? 'this address'} (HUB_OUTBOUND_ALLOW can allow it)`,
  },
}

export const personName = z.string().min(1).max(200)

export const contactChannels = {
  phone: z.string().regex(/^\+?[0-9 ()-]{5,20}$/, 'is not a phone number'),
  email: z.email(),
  webhook: z.url({ protocol: /^https?$/ }).refine(noPrivateTarget.check, noPrivateTarget.params),
  webhookSecret: z.string().min(8).max(200),
  language: z.enum(languages),
}

type Shape = Record<string, z.ZodType>

/** Every field optional (a create body). */
export const optional = <S extends Shape>(shape: S) =>
  Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, v.optional()])) as {
    [K in keyof S]: z.ZodOptional<S[K]>
  }

/** Every field optional, and null clears it (a PATCH body). */
export const clearable = <S extends Shape>(shape: S) =>
  Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, v.nullable().optional()])) as {
    [K in keyof S]: z.ZodOptional<z.ZodNullable<S[K]>>
  }
