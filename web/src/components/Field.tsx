import type { ComponentChildren } from 'preact'
import type { ApiError } from '../api'

/** A labelled form field with the API's message for it (if the last submit was refused) beside it. */
export function Field(props: {
  label: string
  name: string
  error?: ApiError | null
  children: ComponentChildren
}) {
  const message = props.error?.fieldMessage(props.name)
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is passed in as children, inside the label
    <label class={`field${message ? ' invalid' : ''}`}>
      <span>{props.label}</span>
      {props.children}
      {message && (
        <span class="field-error" role="alert" data-field={props.name}>
          {message}
        </span>
      )}
    </label>
  )
}

/** The error of a refused call that no field claims, shown above the form. */
export function FormError({ error }: { error?: ApiError | Error | null }) {
  if (!error) return null
  return (
    <p class="form-error" role="alert">
      {error.message}
    </p>
  )
}
