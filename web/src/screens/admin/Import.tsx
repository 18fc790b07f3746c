import { useState } from 'preact/hooks'
import { type ApiError, api } from '../../api'
import { Copy } from '../../components/Copy'
import { FormError } from '../../components/Field'
import { t } from '../../i18n'
import type { Site } from '../../types'
import { SitePicker } from './SitePicker'

// Bulk detector import: paste (or load) a CSV, send it as it is, and read the hub's report row by row —
// which rows became devices (with their secrets, shown this once) and why the others did not.

interface Report {
  accepted: { row: number; id: string; secret: string }[]
  rejected: { row: number; errors: { field: string; message: string }[] }[]
}

const sample = 'type,building,floor,zone,room,bed,residentId\nsmoke-detector,A,1,Z1,101,,\n'

export function Import({ sites }: { sites: Site[] }) {
  const [siteId, setSiteId] = useState<string | undefined>()
  const [csv, setCsv] = useState(sample)
  const [report, setReport] = useState<Report | null>(null)
  const [error, setError] = useState<ApiError | null>(null)
  const site = siteId ?? sites[0]?.id
  if (sites.length === 0) return <p class="muted">{t('inst.none')}</p>

  async function send(e: Event) {
    e.preventDefault()
    setError(null)
    setReport(null)
    try {
      setReport(await api<Report>('POST', `/sites/${site}/devices/import`, csv, 'text/csv'))
    } catch (err) {
      setError(err as ApiError)
    }
  }
  async function load(file: File | undefined) {
    if (file) setCsv(await file.text())
  }
  return (
    <div data-testid="import">
      <form class="card admin-form" onSubmit={send}>
        <SitePicker sites={sites} value={site} onChange={setSiteId} />
        <label class="field">
          <span>{t('admin.csvFile')}</span>
          <input type="file" accept=".csv,text/csv" onChange={(e) => void load(e.currentTarget.files?.[0])} />
        </label>
        <label class="field">
          <span>{t('admin.csv')}</span>
          <textarea rows={8} class="mono" value={csv} onInput={(e) => setCsv(e.currentTarget.value)} />
        </label>
        <FormError error={error} />
        <button type="submit" class="primary">
          {t('admin.import')}
        </button>
      </form>
      {report && (
        <section class="card wide" data-testid="import-report">
          <h3>{t('admin.importReport', { ok: report.accepted.length, bad: report.rejected.length })}</h3>
          <table>
            <thead>
              <tr>
                <th>{t('admin.row')}</th>
                <th>{t('admin.result')}</th>
              </tr>
            </thead>
            <tbody>
              {[
                ...report.accepted.map((a) => ({ row: a.row, ok: a })),
                ...report.rejected.map((r) => ({ row: r.row, bad: r })),
              ]
                .sort((a, b) => a.row - b.row)
                .map((r) => (
                  <tr key={r.row} class={'bad' in r ? 'bad' : 'ok'}>
                    <td>{r.row}</td>
                    <td>
                      {'ok' in r && r.ok && (
                        <>
                          ✔ <span class="mono">{r.ok.id}</span> <span class="secret">{r.ok.secret}</span>{' '}
                          <Copy text={r.ok.secret} />
                        </>
                      )}
                      {'bad' in r &&
                        r.bad?.errors.map((e) => (
                          <span key={e.field}>
                            ✕ {e.field}: {e.message}{' '}
                          </span>
                        ))}
                    </td>
                  </tr>
                ))}
            </tbody>
          </table>
        </section>
      )}
    </div>
  )
}
