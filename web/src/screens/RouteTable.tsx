import { useEffect, useState } from 'preact/hooks'
import { notificationTick } from '../alerts'
import { api } from '../api'
import { formatTime, t, tOr } from '../i18n'
import type { Notification } from '../types'

/** The escalation route: every notification sent for the alert, its state and the receiver's receipt. */
export function RouteTable({ alertId }: { alertId: string }) {
  const [items, setItems] = useState<Notification[] | null>(null)
  const tick = notificationTick.value
  useEffect(() => {
    if (tick && tick.alertId !== alertId) return
    api<{ items: Notification[] }>('GET', `/alerts/${encodeURIComponent(alertId)}/notifications`)
      .then((r) => setItems(r.items))
      .catch(() => setItems([]))
  }, [alertId, tick])
  return (
    <section class="card wide" aria-label={t('ws.route')}>
      <h3>{t('ws.route')}</h3>
      {items === null ? (
        <p class="muted">{t('common.loading')}</p>
      ) : items.length === 0 ? (
        <p class="muted">{t('ws.noNotifications')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>{t('ws.step')}</th>
              <th>{t('ws.target')}</th>
              <th>{t('ws.channel')}</th>
              <th>{t('ws.state')}</th>
              <th>{t('ws.receipt')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((n) => (
              <tr key={n.id}>
                <td>{n.stepName ?? n.step}</td>
                <td>
                  {n.recipient ?? n.target} <span class="muted">{n.to ?? ''}</span>
                </td>
                <td>{tOr(`channel.${n.channel}`, n.channel)}</td>
                <td class={`n-${n.state}`}>
                  {tOr(`nstate.${n.state}`, n.state)}
                  {n.attempts > 1 && <span class="muted"> ({t('ws.attempts', { n: n.attempts })})</span>}
                  {n.lastError && <span class="bad"> {n.lastError}</span>}
                </td>
                <td>
                  {n.receipt && <span class="mono">{n.receipt} </span>}
                  {n.deliveredAt ? formatTime(n.deliveredAt) : '—'}
                  {n.acknowledgedAt && ` · ✔ ${formatTime(n.acknowledgedAt)}`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}
