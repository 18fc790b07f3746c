import { lookOf } from '../alert-kinds'
import { t, tOr } from '../i18n'

/** The alert's type as colour + icon + text. */
export function AlertType({ type }: { type: string }) {
  const look = lookOf(type)
  const text = look.label === 'type.other' ? tOr(`type.${type}`, type) : t(look.label)
  return (
    <span class={`kind ${look.cls}`}>
      <span aria-hidden="true">{look.icon}</span> {text}
    </span>
  )
}
