import { session } from './session-state'

// The one door to the hub's public API. Errors keep the API's stable code and field details, so forms can
// show each field's message next to the field; a 401 on a logged-in call means the token is gone or expired.

export interface FieldError {
  field: string
  message: string
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldError[] = [],
  ) {
    super(message)
  }
  /** the message for one form field (the API names it `body.x.y`), if the API gave one */
  fieldMessage(field: string): string | undefined {
    return this.details.find((d) => d.field === `body.${field}` || d.field === field)?.message
  }
}

/** set by session.ts: what to do when a logged-in call answers 401 */
let onUnauthorized = () => {}
export function setUnauthorizedHandler(fn: () => void) {
  onUnauthorized = fn
}

/** A call to the API; a string body with `contentType` (a CSV import) is sent as it is. */
export async function api<T = unknown>(
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<T> {
  const headers: Record<string, string> = {}
  const token = session.token.value
  if (token) headers.authorization = `Bearer ${token}`
  if (body !== undefined) headers['content-type'] = contentType
  const raw = typeof body === 'string' && contentType !== 'application/json'
  const res = await fetch(`/api/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : raw ? (body as string) : JSON.stringify(body),
  })
  const text = await res.text()
  const data = text ? safeJson(text) : undefined
  if (!res.ok) {
    if (res.status === 401 && token) onUnauthorized()
    const e = (data ?? {}) as { error?: string; message?: string; details?: FieldError[] }
    throw new ApiError(res.status, e.error ?? `HTTP_${res.status}`, e.message ?? res.statusText, e.details)
  }
  return data as T
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

export interface Page<T> {
  items: T[]
  nextCursor?: string
}

/** Every page of a collection, up to `max` items (bounded: a runaway list must not hang the screen). */
export async function listAll<T>(path: string, max = 5000): Promise<T[]> {
  const out: T[] = []
  let cursor: string | undefined
  const sep = path.includes('?') ? '&' : '?'
  do {
    const page = await api<Page<T>>(
      'GET',
      `${path}${sep}limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    )
    out.push(...page.items)
    cursor = page.nextCursor
  } while (cursor && out.length < max)
  return out
}
