import { useState } from 'preact/hooks'
import { t } from '../i18n'

/** One click copies `text` (a phone number, a device secret) and says so. */
export function Copy({ text, label }: { text: string; label?: string }) {
  const [done, setDone] = useState(false)
  async function copy() {
    try {
      await navigator.clipboard.writeText(text)
    } catch {
      // clipboard refused (plain http): select-and-copy by hand still works on the shown text
      return
    }
    setDone(true)
    setTimeout(() => setDone(false), 1500)
  }
  return (
    <button type="button" class="copy" onClick={copy} aria-label={`${t('common.copy')} ${label ?? text}`}>
      {done ? `✔ ${t('common.copied')}` : `⧉ ${t('common.copy')}`}
    </button>
  )
}
