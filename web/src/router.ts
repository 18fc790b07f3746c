import { signal } from '@preact/signals'

// A small history-API router: the hub answers every non-API path with the console, so links are real URLs
// an operator can bookmark, reload or be sent back to after logging in again.

export const location = signal(currentPath())

function currentPath() {
  return window.location.pathname + window.location.search
}

export function navigate(to: string, replace = false) {
  if (to === currentPath()) return
  if (replace) history.replaceState(null, '', to)
  else history.pushState(null, '', to)
  location.value = currentPath()
}

window.addEventListener('popstate', () => {
  location.value = currentPath()
})

/** Matches `/alerts/:id` style patterns; returns the parameters or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const [pathname] = path.split('?')
  const want = pattern.split('/')
  const got = (pathname ?? '').split('/')
  if (want.length !== got.length) return null
  const params: Record<string, string> = {}
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!
    const g = got[i]!
    if (w.startsWith(':')) params[w.slice(1)] = decodeURIComponent(g)
    else if (w !== g) return null
  }
  return params
}

export function queryParam(name: string): string | null {
  return new URLSearchParams(location.value.split('?')[1] ?? '').get(name)
}

/** Link click handler: in-app navigation without a page load (modifier clicks open a tab as usual). */
export function linkTo(e: MouseEvent, to: string) {
  if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return
  e.preventDefault()
  navigate(to)
}

/** Where to go after logging in: back where the user was, but never off this site. */
export function nextPath(): string {
  const next = queryParam('next')
  return next?.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/'
}
