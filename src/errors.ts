// Every error the API answers with, in one catalogue: a stable code, its HTTP status and what it means.
// The README's error table is checked against this list by test/errors-doc.test.ts.

export const errorCatalogue = {
  HUB_ERR_VALIDATION: {
    status: 400,
    meaning: 'A body, query or path parameter is not valid; details name each field.',
  },
  HUB_ERR_UNKNOWN_REFERENCE: {
    status: 400,
    meaning:
      "The body names a site, resident, device or place that does not exist (a device's location names no place of its institution's topology).",
  },
  HUB_ERR_UNAUTHORIZED: {
    status: 401,
    meaning:
      'The token or API key is missing, malformed, expired, logged out, ended by a password change or disabling, or its user is disabled.',
  },
  HUB_ERR_BAD_CREDENTIALS: { status: 401, meaning: 'Wrong username or password.' },
  HUB_ERR_FORBIDDEN: { status: 403, meaning: "The user's role may not do this." },
  HUB_ERR_NOT_FOUND: { status: 404, meaning: 'No such route, or no object with that id.' },
  HUB_ERR_CONFLICT: {
    status: 409,
    meaning: "The object's state forbids this transition (e.g. resolving a resolved alert).",
  },
  HUB_ERR_ALREADY_EXISTS: {
    status: 409,
    meaning: 'An object with that unique value already exists (e.g. a username).',
  },
  HUB_ERR_LAST_ADMIN: {
    status: 409,
    meaning: 'The change would leave no enabled admin (disabling or demoting the last one).',
  },
  HUB_ERR_IN_USE: {
    status: 409,
    meaning: 'The object is still referenced (e.g. a site that has residents or devices).',
  },
  HUB_ERR_NOT_SUPPORTED: {
    status: 409,
    meaning: "The device's type does not take this command (e.g. silence sent to a call button).",
  },
  HUB_ERR_LOCKED: {
    status: 423,
    meaning: 'Too many wrong passwords: the account is locked for 15 minutes (Retry-After says how long).',
  },
  HUB_ERR_TOO_MANY_ATTEMPTS: {
    status: 429,
    meaning: 'Repeated wrong passwords: wait Retry-After seconds before the next attempt.',
  },
  HUB_ERR_PAYLOAD_TOO_LARGE: { status: 413, meaning: 'The request body is larger than 1 MiB.' },
  HUB_ERR_UNAVAILABLE: { status: 503, meaning: 'The database or the broker is not reachable; retry later.' },
  HUB_ERR_INTERNAL: { status: 500, meaning: 'An unexpected error; the log has the details.' },
} as const

export type ErrorCode = keyof typeof errorCatalogue

export interface ErrorDetail {
  field: string
  message: string
}

export class HubError extends Error {
  readonly statusCode: number

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message)
    this.statusCode = errorCatalogue[code].status
  }
}

export const notFound = (what: string, id: string) =>
  new HubError('HUB_ERR_NOT_FOUND', `no ${what} with id ${id}`)
