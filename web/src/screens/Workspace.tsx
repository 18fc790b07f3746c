import { useEffect, useRef, useState } from 'preact/hooks'
import { alerts, upsert } from '../alerts'
import { type ApiError, api } from '../api'
import { AlertType } from '../components/AlertType'
import { Field, FormError } from '../components/Field'
import { Waiting } from '../components/Waiting'
import { formatTime, type Key, t, tOr } from '../i18n'
import { workspaceKeys } from '../keys'
import type { Alert } from '../types'
import { DeviceCard } from './DeviceCard'
import { ResidentCard } from './ResidentCard'
import { RouteTable } from './RouteTable'

// One alert, worked: acknowledge, the resident and whom to call, the device, the event, the route the alert
// took, what the operator did (each recorded in the alert's history), and the resolution.

const actions = ['called-resident', 'called-family', 'dispatched-staff', 'called-120', 'called-119'] as const
const outcomes = [
  'assisted',
  'false-alarm',
  'ambulance',
  'fire-brigade',
  'family-handled',
  'test',
  'other',
] as const

function EventCard({ alert }: { alert: Alert }) {
  if (!alert.event) return null
  const { id, type, state, ts, receivedAt, ...extra } = alert.event
  return (
    <section class="card" aria-label={t('ws.event')}>
      <h3>{t('ws.event')}</h3>
      <dl>
        <dt>{t('ws.eventType')}</dt>
        <dd>
          {tOr(`type.${type}`, type)} ({tOr(`estate.${state}`, state)})
        </dd>
        <dt>{t('ws.deviceTime')}</dt>
        <dd>{formatTime(ts)}</dd>
        <dt>{t('ws.receivedAt')}</dt>
        <dd>{formatTime(receivedAt)}</dd>
        {Object.entries(extra).map(([k, v]) => (
          <>
            <dt>{tOr(`reading.${k}`, k)}</dt>
            <dd>{String(v)}</dd>
          </>
        ))}
        <dt>{t('ws.count')}</dt>
        <dd>{alert.count}</dd>
      </dl>
      <p class="muted mono">{id}</p>
    </section>
  )
}

function History({ alert }: { alert: Alert }) {
  return (
    <section class="card wide" aria-label={t('ws.history')}>
      <h3>{t('ws.history')}</h3>
      <ol class="history" data-testid="history">
        {alert.history.map((h) => {
          const action = typeof h.data.action === 'string' ? h.data.action : null
          const until = h.kind === 'snoozed' && typeof h.data.until === 'string' ? h.data.until : null
          return (
            <li key={`${h.at}-${h.kind}`}>
              <time>{formatTime(h.at)}</time> <strong>{tOr(`hist.${h.kind}`, h.kind)}</strong>
              {action && ` · ${tOr(`action.${action}`, action)}`}
              {until && ` → ${formatTime(until)}`}
              {h.actor && ` · ${h.actor}`}
              {h.note && <span class="muted"> — {h.note}</span>}
            </li>
          )
        })}
      </ol>
    </section>
  )
}

export function Workspace({ id }: { id: string }) {
  const fromQueue = alerts.value.get(id)
  const [alert, setAlert] = useState<Alert | null>(fromQueue ?? null)
  const [error, setError] = useState<ApiError | null>(null)
  const [busy, setBusy] = useState(false)
  const [note, setNote] = useState('')
  const [outcome, setOutcome] = useState<string>('assisted')
  const [resent, setResent] = useState<{ centres: number } | null>(null)
  const outcomeRef = useRef<HTMLSelectElement>(null)

  // the queue's copy is the live one; a resolved alert (gone from the queue) is read once over REST
  useEffect(() => {
    if (fromQueue) setAlert(fromQueue)
  }, [fromQueue])
  useEffect(() => {
    if (!fromQueue)
      api<Alert>('GET', `/alerts/${encodeURIComponent(id)}`)
        .then(setAlert)
        .catch((e: ApiError) => setError(e))
  }, [id])

  async function run(path: string, body?: unknown) {
    setBusy(true)
    setError(null)
    try {
      const a = await api<Alert>('POST', `/alerts/${encodeURIComponent(id)}/${path}`, body)
      upsert(a)
      setAlert(a)
      return true
    } catch (e) {
      setError(e as ApiError)
      return false
    } finally {
      setBusy(false)
    }
  }
  // an empty object, not no body: hubs before the contract fix answered 400 to a bodiless ack
  const ack = () => run('ack', {})
  const record = (action: string) =>
    run('actions', { action, ...(note ? { note } : {}) }).then((ok) => ok && setNote(''))
  const resolve = () => run('resolve', { outcome, ...(note ? { note } : {}) })
  // a fire signal set aside raised this alert: once the cause is fixed, the fire alarm's signal goes again
  async function resendFireSignal(fireAlertId: string) {
    setBusy(true)
    setError(null)
    try {
      setResent(
        await api<{ centres: number }>(
          'POST',
          `/alerts/${encodeURIComponent(fireAlertId)}/resend-fire-signal`,
        ),
      )
    } catch (e) {
      setError(e as ApiError)
    } finally {
      setBusy(false)
    }
  }

  useEffect(() => {
    workspaceKeys.value = {
      ack: () => void ack(),
      resolve: () => outcomeRef.current?.focus(),
    }
    return () => {
      workspaceKeys.value = {}
    }
  })

  if (!alert) return error ? <FormError error={error} /> : <p class="muted">{t('common.loading')}</p>
  const isFire = alert.priority === 1
  const closed = alert.state === 'resolved'
  const setAsideFrom =
    alert.type === 'delivery-failure' && alert.history.some((h) => h.data?.target === 'fire-centre')
      ? alert.relatedAlertId
      : null
  return (
    <article class="workspace" data-testid="workspace" data-alert-id={alert.id} data-state={alert.state}>
      <header class="ws-head">
        <h2>
          <AlertType type={alert.type} /> <span class="muted">P{alert.priority}</span>{' '}
          <span class={`state s-${alert.state}`}>{t(`state.${alert.state}` as Key)}</span>
        </h2>
        <p>
          {t('ws.opened')} {formatTime(alert.openedAt)} · <Waiting alert={alert} />
          {alert.acknowledgedBy && (
            <> · {t('queue.ackedBy', { who: alert.acknowledgedBy, at: formatTime(alert.acknowledgedAt) })}</>
          )}
          {alert.resolvedBy && (
            <>
              {' '}
              · {t('ws.resolvedBy', { who: alert.resolvedBy, at: formatTime(alert.resolvedAt) })} (
              {tOr(`outcome.${alert.outcome}`, alert.outcome ?? '')})
            </>
          )}
        </p>
        {alert.state === 'open' && (
          <button type="button" class="primary" disabled={busy} onClick={ack} data-testid="ack">
            ✔ {t('ws.ack')} <kbd>A</kbd>
          </button>
        )}
      </header>
      <FormError error={error} />
      {!closed && (
        <section class="card wide" aria-label={t('ws.actions')}>
          <h3>{t('ws.actions')}</h3>
          <Field label={t('ws.note')} name="note" error={error}>
            <input value={note} onInput={(e) => setNote(e.currentTarget.value)} maxLength={2000} />
          </Field>
          <div class="buttons">
            {actions.map((a) => (
              <button type="button" key={a} disabled={busy} onClick={() => record(a)} data-action={a}>
                {t(`action.${a}`)}
              </button>
            ))}
          </div>
          {alert.alertClass === 'technical' && (
            <div class="buttons">
              <button
                type="button"
                disabled={busy}
                onClick={() => run('snooze', { for: '4h', ...(note ? { note } : {}) })}
                data-testid="snooze"
              >
                {t('ws.snooze')}
              </button>
            </div>
          )}
          {setAsideFrom && (
            <div class="buttons">
              <button
                type="button"
                class="danger"
                disabled={busy}
                onClick={() => void resendFireSignal(setAsideFrom)}
                data-testid="resend-fire-signal"
              >
                📡 {t('ws.resendFireSignal')}
              </button>
              <span data-testid="fire-signal-resent" hidden={!resent}>
                {resent ? t('ws.fireSignalResent', { n: resent.centres }) : ''}
              </span>
            </div>
          )}
          {isFire && (
            <div class="buttons">
              <button
                type="button"
                class="danger"
                disabled={busy}
                onClick={() => run('confirm-fire', note ? { note } : {})}
              >
                🔥 {t('ws.confirmFire')}
              </button>
              <button
                type="button"
                disabled={busy || !note}
                title={t('ws.falseAlarmNeedsNote')}
                onClick={() => run('false-alarm', { reason: note })}
              >
                {t('ws.falseAlarm')}
              </button>
            </div>
          )}
          <form
            class="resolve"
            onSubmit={(e) => {
              e.preventDefault()
              void resolve()
            }}
          >
            <Field label={t('ws.outcome')} name="outcome" error={error}>
              <select
                ref={outcomeRef}
                value={outcome}
                onChange={(e) => setOutcome(e.currentTarget.value)}
                data-testid="outcome"
              >
                {outcomes.map((o) => (
                  <option key={o} value={o}>
                    {t(`outcome.${o}`)}
                  </option>
                ))}
              </select>
            </Field>
            <button type="submit" class="primary" disabled={busy} data-testid="resolve">
              {t('ws.resolve')} <kbd>R</kbd>
            </button>
          </form>
        </section>
      )}
      <div class="cards">
        <ResidentCard residentId={alert.residentId} siteId={alert.siteId} />
        <DeviceCard deviceId={alert.deviceId} />
        <EventCard alert={alert} />
      </div>
      <RouteTable alertId={alert.id} />
      <History alert={alert} />
    </article>
  )
}
