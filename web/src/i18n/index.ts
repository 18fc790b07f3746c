import { computed, signal } from '@preact/signals'
import { en } from './en'
import { type Key, zhCN } from './zh-CN'

// Two languages: zh-CN (the default) and English. The user's own `language` decides, unless they switch on
// this browser. A key missing from a dictionary shows as ⟦key⟧ and is listed in window.__i18nMissing, which
// the browser tests read: a missing translation fails a test instead of shipping.

export type Lang = 'zh-CN' | 'en'
export type { Key }

const dictionaries: Record<Lang, Partial<Record<string, string>>> = { 'zh-CN': zhCN, en }
const OVERRIDE = 'hub.lang'

const override = signal<Lang | null>((localStorage.getItem(OVERRIDE) as Lang | null) ?? null)
export const userLanguage = signal<Lang | null>(null)
export const lang = computed<Lang>(() => override.value ?? userLanguage.value ?? 'zh-CN')

/** The browser's first language the console speaks (zh-CN when none): for pages seen before any login. */
export function browserLanguage(): Lang {
  for (const l of navigator.languages ?? [navigator.language]) {
    if (l.toLowerCase().startsWith('zh')) return 'zh-CN'
    if (l.toLowerCase().startsWith('en')) return 'en'
  }
  return 'zh-CN'
}

export function setLanguage(l: Lang) {
  localStorage.setItem(OVERRIDE, l)
  override.value = l
}

declare global {
  interface Window {
    __i18nMissing: string[]
  }
}
window.__i18nMissing = []

/** The text for `key`, with `{name}` placeholders filled from `params`. */
export function t(key: Key, params?: Record<string, string | number>): string {
  const l = lang.value
  let text = dictionaries[l][key]
  if (text === undefined) {
    const miss = `${l}:${key}`
    if (!window.__i18nMissing.includes(miss)) window.__i18nMissing.push(miss)
    return `⟦${key}⟧`
  }
  if (params) for (const [k, v] of Object.entries(params)) text = text.replaceAll(`{${k}}`, String(v))
  return text
}

/** For keys built at run time (an alert type, an outcome code): falls back to the raw value, not ⟦⟧. */
export function tOr(key: string, fallback: string): string {
  const text = dictionaries[lang.value][key]
  return text ?? fallback
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—'
  return new Date(iso).toLocaleString(lang.value, { hour12: false })
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const sec = s % 60
  const mm = String(m).padStart(2, '0')
  const ss = String(sec).padStart(2, '0')
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`
}
