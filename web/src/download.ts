import { session } from './session'

/**
 * Downloads an API file (a CSV export). A plain link would not carry the bearer token, so the file is fetched
 * with it and handed to the browser as a blob.
 */
export async function download(path: string, filename: string) {
  const res = await fetch(`/api/v1${path}`, { headers: { authorization: `Bearer ${session.token.value}` } })
  if (!res.ok) throw new Error(`${res.status} ${res.statusText}`)
  const url = URL.createObjectURL(await res.blob())
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  a.click()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
