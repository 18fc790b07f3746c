import { signal } from '@preact/signals'
import type { User } from './types'

// The logged-in session's state, apart from session.ts: api.ts reads the token here, and session.ts (which
// calls the API) writes it, with no import cycle between them.

export const KEY = 'hub.session'

interface Stored {
  token: string
  expiresAt: string
}

function load(): Stored | null {
  try {
    const s = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Stored | null
    return s && new Date(s.expiresAt).getTime() > Date.now() ? s : null
  } catch {
    return null
  }
}

const stored = load()

export const session = {
  token: signal<string | null>(stored?.token ?? null),
  expiresAt: signal<string | null>(stored?.expiresAt ?? null),
  user: signal<User | null>(null),
}
