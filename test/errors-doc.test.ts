import { readFile } from 'node:fs/promises'
import t from 'tap'
import { errorCatalogue } from '../src/errors.js'

// The README's error table and the catalogue must agree: integrators code against the table.
t.test('every error code is documented with its status, and nothing else is', async (t) => {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8')
  const rows = [...readme.matchAll(/^\| `(HUB_ERR_\w+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])])
  t.same(
    Object.fromEntries(rows),
    Object.fromEntries(Object.entries(errorCatalogue).map(([code, e]) => [code, e.status])),
  )
})
