import { useState } from 'preact/hooks'
import { type ApiError, api } from '../api'
import { formatTime, t } from '../i18n'
import { Copy } from './Copy'
import { FormError } from './Field'

interface Invite {
  url: string
  expiresAt: string
}

/** The care team's button for a single-use family invitation link (README, "Family accounts"). */
export function InviteFamily({ residentId }: { residentId: string }) {
  const [invite, setInvite] = useState<Invite | null>(null)
  const [error, setError] = useState<ApiError | null>(null)
  const [busy, setBusy] = useState(false)
  async function create() {
    setBusy(true)
    setError(null)
    try {
      setInvite(await api<Invite>('POST', `/residents/${encodeURIComponent(residentId)}/family-invites`))
    } catch (err) {
      setError(err as ApiError)
    } finally {
      setBusy(false)
    }
  }
  return (
    <div class="invite-family" data-testid="invite-family">
      <button type="button" onClick={create} disabled={busy}>
        {t('invite.button')}
      </button>
      <FormError error={error} />
      {invite && (
        <p>
          {t('invite.link')} <code data-testid="invite-url">{invite.url}</code> <Copy text={invite.url} />
          <br />
          <span class="muted">{t('invite.expires', { at: formatTime(invite.expiresAt) })}</span>
        </p>
      )}
    </div>
  )
}
