import { computed } from '@preact/signals'
import { api, setUnauthorizedHandler } from './api'
import { navigate } from './router'
import { KEY, session } from './session-state'
import type { User } from './types'

export { session }

// Who is logged in. The token lives in localStorage so a reload keeps the shift going; when it expires (or
// the hub refuses it) the operator goes to the login page and comes back to the same screen afterwards.

export const loggedIn = computed(() => session.token.value !== null)

let expiryTimer: ReturnType<typeof setTimeout> | undefined

function armExpiry() {
  clearTimeout(expiryTimer)
  const at = session.expiresAt.value
  if (!at) return
  // setTimeout overflows past ~24.8 days; a token that long-lived is checked again on the next call anyway
  const ms = Math.min(new Date(at).getTime() - Date.now(), 2 ** 31 - 1)
  expiryTimer = setTimeout(() => expire(), Math.max(ms, 0))
}

/** Ends the session locally and sends the user to log in, remembering where they were. */
export function expire() {
  const here = window.location.pathname + window.location.search
  clear()
  navigate(here.startsWith('/login') ? here : `/login?next=${encodeURIComponent(here)}&expired=1`, true)
}

function clear() {
  clearTimeout(expiryTimer)
  localStorage.removeItem(KEY)
  session.token.value = null
  session.expiresAt.value = null
  session.user.value = null
}

setUnauthorizedHandler(expire)

export async function login(username: string, password: string) {
  await adopt(await api<Session>('POST', '/auth/login', { username, password }))
}

interface Session {
  token: string
  expiresAt: string
}

/** Starts the session a login or an accepted family invitation answered. */
export async function adopt(res: Session) {
  localStorage.setItem(KEY, JSON.stringify({ token: res.token, expiresAt: res.expiresAt }))
  session.token.value = res.token
  session.expiresAt.value = res.expiresAt
  armExpiry()
  await loadMe()
}

export async function loadMe() {
  session.user.value = await api<User>('GET', '/auth/me')
}

export async function logout() {
  try {
    await api('POST', '/auth/logout')
  } catch {
    // the token may already be gone; the local session ends either way
  }
  clear()
  navigate('/login', true)
}

armExpiry()
