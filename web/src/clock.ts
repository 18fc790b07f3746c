import { signal } from '@preact/signals'

/** One shared second tick: every waiting timer on screen reads it, so there is one interval, not hundreds. */
export const now = signal(Date.now())
setInterval(() => {
  now.value = Date.now()
}, 1000)

/** The telecare answer targets: amber from 60 s, red from 180 s. */
export function waitClass(ms: number): string {
  if (ms >= 180_000) return 'wait-red'
  if (ms >= 60_000) return 'wait-amber'
  return 'wait-ok'
}
