// The hub's HTTP API as the simulators use it: login and JSON requests, each bounded in time.

const REQUEST_TIMEOUT_MS = 30_000

export class HubApi {
  private token?: string
  private readonly aborter = new AbortController()

  constructor(readonly base: string) {}

  get bearer(): string {
    if (!this.token) throw new Error('not logged in')
    return this.token
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...(this.token && { authorization: `Bearer ${this.token}` }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.any([this.aborter.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
    })
    const text = await res.text()
    const json = text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text
    return { status: res.status, body: json as T }
  }

  /** Sends the request and insists on `status`. */
  async expect<T>(status: number, method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.request<T>(method, path, body)
    if (res.status !== status) {
      throw new Error(
        `${method} ${path} answered ${res.status}, expected ${status}: ${JSON.stringify(res.body)}`,
      )
    }
    return res.body
  }

  /** Fails every request in flight and every later one (their keep-alive sockets would hold up the hub's close). */
  abort() {
    this.aborter.abort(new Error('the benchmark is stopping'))
  }

  async login(username: string, password: string) {
    const { token } = await this.expect<{ token: string }>(200, 'POST', '/api/v1/auth/login', {
      username,
      password,
    })
    this.token = token
  }
}

/** Every item of a collection, page by page (at most `maxPages` pages of 1000). */
export async function listAll<T>(api: HubApi, path: string, maxPages = 1000): Promise<T[]> {
  const items: T[] = []
  let cursor: string | undefined
  for (let page = 0; page < maxPages; page++) {
    const sep = path.includes('?') ? '&' : '?'
    const query = `${sep}limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`
    const body = await api.expect<{ items: T[]; nextCursor?: string }>(200, 'GET', `${path}${query}`)
    items.push(...body.items)
    cursor = body.nextCursor
    if (!cursor) return items
  }
  throw new Error(`${path}: more than ${maxPages} pages`)
}
