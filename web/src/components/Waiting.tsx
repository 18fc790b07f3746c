import { now, waitClass } from '../clock'
import { formatDuration, t } from '../i18n'
import type { Alert } from '../types'

/** How long the alert has waited: amber from 60 s, red from 180 s, with the words for it too. */
export function Waiting({ alert }: { alert: Alert }) {
  const since = new Date(alert.openedAt).getTime()
  const until = alert.acknowledgedAt ? new Date(alert.acknowledgedAt).getTime() : now.value
  const ms = until - since
  const cls = alert.acknowledgedAt ? 'wait-done' : waitClass(ms)
  const label = alert.acknowledgedAt ? t('queue.answeredIn') : t('queue.waiting')
  return (
    <span class={`wait ${cls}`} title={label}>
      <span class="sr">{label} </span>
      {cls === 'wait-red' ? '⏰ ' : cls === 'wait-amber' ? '⏳ ' : ''}
      {formatDuration(ms)}
    </span>
  )
}
