import { t } from '../../i18n'
import type { Site } from '../../types'

/** The site a per-site administration view works on. */
export function SitePicker(props: {
  sites: Site[]
  value: string | undefined
  onChange: (id: string) => void
}) {
  return (
    <label class="field">
      <span>{t('admin.site')}</span>
      <select
        value={props.value}
        onChange={(e) => props.onChange(e.currentTarget.value)}
        data-testid="site-picker"
      >
        {props.sites.map((s) => (
          <option key={s.id} value={s.id}>
            {s.name}
          </option>
        ))}
      </select>
    </label>
  )
}
