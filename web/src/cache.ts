import { signal } from '@preact/signals'
import { ApiError, api } from './api'

// Sites, residents and devices by id, fetched once each on first sight and shared by every screen. A queue of
// a thousand alerts shows its first rows at once and fills names in as they arrive.

type Kind = 'sites' | 'residents' | 'devices'

const store = signal<Record<string, unknown>>({})
const asked = new Set<string>()

export function entity<T>(kind: Kind, id: string | null | undefined): T | undefined {
  if (!id) return undefined
  const key = `${kind}/${id}`
  const have = store.value[key] as T | undefined
  if (have === undefined && !asked.has(key)) {
    asked.add(key)
    api<T>('GET', `/${kind}/${encodeURIComponent(id)}`)
      .then((v) => remember(kind, id, v))
      // a role that may not read it (a family's relative's site) is not asked again on every render
      .catch((e) => (e instanceof ApiError && e.status === 403) || asked.delete(key))
  }
  return have
}

export function remember(kind: Kind, id: string, value: unknown) {
  store.value = { ...store.value, [`${kind}/${id}`]: value }
}

/** Forget one entry (after an edit) so the next read fetches it again. */
export function forget(kind: Kind, id: string) {
  asked.delete(`${kind}/${id}`)
  const next = { ...store.value }
  delete next[`${kind}/${id}`]
  store.value = next
}
