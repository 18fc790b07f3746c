import { useEffect, useState } from 'preact/hooks'
import { api, type Page } from '../api'
import { entity } from '../cache'
import { Chart, type Series } from '../components/Chart'
import { formatTime, t, tOr } from '../i18n'
import type { Device } from '../types'

type Reading = { ts: string } & Record<string, unknown>

export function placeText(loc: Device['location']): string {
  if (!loc) return '—'
  return [loc.building, loc.floor, loc.zone, loc.room, loc.bed].filter(Boolean).join(' / ') || '—'
}

/** The last hour of a device's readings, one line per numeric field. */
function lastHour(items: Reading[]): { times: number[]; series: Series[] } {
  const fields = new Set<string>()
  for (const r of items) for (const [k, v] of Object.entries(r)) if (typeof v === 'number') fields.add(k)
  return {
    times: items.map((r) => new Date(r.ts).getTime() / 1000),
    series: [...fields].map((f) => ({
      label: tOr(`reading.${f}`, f),
      values: items.map((r) => (typeof r[f] === 'number' ? (r[f] as number) : null)),
    })),
  }
}

export function DeviceCard({ deviceId }: { deviceId: string | null }) {
  const device = entity<Device>('devices', deviceId)
  const [readings, setReadings] = useState<{ times: number[]; series: Series[] } | null>(null)
  useEffect(() => {
    if (!deviceId) return
    const to = new Date()
    const from = new Date(to.getTime() - 3_600_000)
    const q = `from=${from.toISOString()}&to=${to.toISOString()}&limit=1000`
    api<Page<Reading>>('GET', `/devices/${encodeURIComponent(deviceId)}/readings?${q}`)
      .then((p) => setReadings(lastHour(p.items)))
      .catch(() => setReadings({ times: [], series: [] }))
  }, [deviceId])
  if (!deviceId) return null
  return (
    <section class="card" aria-label={t('ws.device')} data-testid="device-card">
      <h3>{t('ws.device')}</h3>
      {!device ? (
        <p class="muted">{t('common.loading')}</p>
      ) : (
        <dl>
          <dt>{t('ws.deviceType')}</dt>
          <dd>{tOr(`device.${device.type}`, device.type)}</dd>
          <dt>{t('ws.location')}</dt>
          <dd>{placeText(device.location)}</dd>
          <dt>{t('ws.battery')}</dt>
          <dd>{device.battery == null ? '—' : `${device.battery}%`}</dd>
          <dt>{t('ws.online')}</dt>
          <dd class={device.online ? 'ok' : 'bad'}>
            {device.online ? `● ${t('ws.isOnline')}` : `○ ${t('ws.isOffline')}`}
          </dd>
          <dt>{t('ws.lastSeen')}</dt>
          <dd>{formatTime(device.lastSeen)}</dd>
        </dl>
      )}
      <h4>{t('ws.lastHour')}</h4>
      {readings === null ? (
        <p class="muted">{t('common.loading')}</p>
      ) : readings.times.length === 0 ? (
        <p class="muted">{t('ws.noReadings')}</p>
      ) : (
        <Chart times={readings.times} series={readings.series} testId="readings-chart" />
      )}
    </section>
  )
}
