import { useEffect } from 'preact/hooks'
import { inHand, loaded, waiting } from '../alerts'
import { entity } from '../cache'
import { AlertType } from '../components/AlertType'
import { Waiting } from '../components/Waiting'
import { formatTime, t } from '../i18n'
import { linkTo, location, match, navigate } from '../router'
import type { Alert, Resident, Site } from '../types'
import { Workspace } from './Workspace'

// The live queue beside the workspace of the selected alert. Rows past the first few hundred are counted, not
// drawn: an operator works from the top, and a thousand rows of DOM would slow every tick of the timers.

const DRAWN = 200

function Row({ alert, selected }: { alert: Alert; selected: boolean }) {
  const site = entity<Site>('sites', alert.siteId)
  const resident = entity<Resident>('residents', alert.residentId)
  const href = `/alerts/${alert.id}`
  return (
    <li class={`row p${alert.priority}${selected ? ' selected' : ''}`} data-alert-id={alert.id}>
      <a href={href} onClick={(e) => linkTo(e, href)} aria-current={selected ? 'true' : undefined}>
        <AlertType type={alert.type} />
        <span class="who">{resident?.name ?? site?.name ?? alert.deviceId ?? '—'}</span>
        <span class="where">{site?.name ?? ''}</span>
        <Waiting alert={alert} />
        {alert.count > 1 && <span class="count">×{alert.count}</span>}
        {alert.acknowledgedBy && (
          <span class="acked">
            ✔ {t('queue.ackedBy', { who: alert.acknowledgedBy, at: formatTime(alert.acknowledgedAt) })}
          </span>
        )}
      </a>
    </li>
  )
}

function Section({ title, list, selectedId }: { title: string; list: Alert[]; selectedId?: string }) {
  return (
    <section aria-label={title}>
      <h2>
        {title} <span class="badge">{list.length}</span>
      </h2>
      {list.length === 0 ? (
        <p class="muted">{t('queue.empty')}</p>
      ) : (
        <ol class="queue">
          {list.slice(0, DRAWN).map((a) => (
            <Row key={a.id} alert={a} selected={a.id === selectedId} />
          ))}
        </ol>
      )}
      {list.length > DRAWN && <p class="muted">{t('queue.more', { n: list.length - DRAWN })}</p>}
    </section>
  )
}

/** Queue order as one list: waiting first, then those in hand; the keys walk it. */
function ordered() {
  return [...waiting.value, ...inHand.value]
}

export function step(by: number) {
  const list = ordered()
  if (list.length === 0) return
  const current = match('/alerts/:id', location.value)?.id
  const i = list.findIndex((a) => a.id === current)
  const next = list[Math.max(0, Math.min(list.length - 1, i === -1 ? 0 : i + by))]!
  navigate(`/alerts/${next.id}`)
}

export function QueueScreen() {
  const selectedId = match('/alerts/:id', location.value)?.id
  useEffect(() => {
    document.title = t('queue.title')
  })
  return (
    <div class="split">
      <div class="queue-pane" data-testid="queue">
        {!loaded.value && <p class="muted">{t('common.loading')}</p>}
        <Section title={t('queue.waitingTitle')} list={waiting.value} selectedId={selectedId} />
        <Section title={t('queue.inHandTitle')} list={inHand.value} selectedId={selectedId} />
      </div>
      <div class="work-pane">
        {selectedId ? <Workspace key={selectedId} id={selectedId} /> : <p class="muted">{t('queue.pick')}</p>}
      </div>
    </div>
  )
}
