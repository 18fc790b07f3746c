// MQTT topic filters (MQTT 3.1.1, 4.7): `+` one level, `#` the rest (last level only). Pure functions for the
// MQTT accounts' rights.

/** The topic tree the hub owns: devices and the hub's own publications live here. */
export const HUB_ROOT = 'eldercare'

/** Why `filter` is not a valid MQTT topic filter, or null. */
export function filterProblem(filter: string): string | null {
  if (filter.length === 0 || filter.length > 256) return 'must be 1 to 256 characters'
  if (filter.includes('\u0000')) return 'must not contain NUL'
  const levels = filter.split('/')
  for (const [i, level] of levels.entries()) {
    if (level === '#' && i !== levels.length - 1) return "'#' only as the last level"
    if (level !== '#' && level !== '+' && /[#+]/.test(level)) return "'+' and '#' fill a whole level"
  }
  return null
}

/** A topic (no wildcards) matches a filter. [MQTT-4.7.2-1]: `+` and `#` at the top do not match `$` topics. */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/')
  const t = topic.split('/')
  if (topic.startsWith('$') && (f[0] === '+' || f[0] === '#')) return false
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true
    if (i >= t.length) return false
    if (f[i] !== '+' && f[i] !== t[i]) return false
  }
  return f.length === t.length
}

/** Every topic `inner` matches is matched by `outer` (a subscription within an account's right). */
export function filterWithin(inner: string, outer: string): boolean {
  const a = inner.split('/')
  const b = outer.split('/')
  for (let i = 0; i < a.length; i++) {
    if (b[i] === '#') return !(i === 0 && a[0]!.startsWith('$'))
    if (i >= b.length) return false
    if (a[i] === '#') return false
    if (b[i] === '+') {
      if (i === 0 && a[0]!.startsWith('$')) return false
      continue
    }
    if (a[i] !== b[i]) return false
  }
  // `x/#` also matches its parent `x`
  return a.length === b.length || (b.length === a.length + 1 && b[a.length] === '#')
}

/** A publish right must stay out of the hub's tree and `$` topics: its first level is a plain word. */
export function publishFilterProblem(filter: string): string | null {
  const first = filter.split('/')[0]!
  if (first === '+' || first === '#') return 'must start with a fixed first level (e.g. nodered/#)'
  if (first === HUB_ROOT || first.startsWith('$')) return `must not be under ${HUB_ROOT}/ or $`
  return null
}
