import { signal } from '@preact/signals'

// Keyboard shortcuts for the queue: j / ↓ next, k / ↑ previous, a acknowledge, r resolve, ? help. They never
// fire while the operator types in a field.

export const workspaceKeys = signal<{ ack?: () => void; resolve?: () => void }>({})
export const helpOpen = signal(false)

export interface KeyTargets {
  step: (by: number) => void
}

export function installShortcuts(targets: KeyTargets) {
  window.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return
    const el = e.target as HTMLElement | null
    if (el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName))) return
    const keys = workspaceKeys.value
    const act: Record<string, (() => void) | undefined> = {
      j: () => targets.step(1),
      ArrowDown: () => targets.step(1),
      k: () => targets.step(-1),
      ArrowUp: () => targets.step(-1),
      a: keys.ack,
      r: keys.resolve,
      '?': () => {
        helpOpen.value = !helpOpen.value
      },
      Escape: () => {
        helpOpen.value = false
      },
    }
    const fn = act[e.key]
    if (!fn) return
    e.preventDefault()
    fn()
  })
}
