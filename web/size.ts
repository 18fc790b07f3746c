import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

// Prints the console's JavaScript sizes, gzipped: what the first load fetches (the entry script and the
// chunks index.html preloads) and each lazily loaded chunk. The budget is 150 KB gzipped for the first load.

const dist = join(import.meta.dirname, 'dist')
const html = readFileSync(join(dist, 'index.html'), 'utf8')
const firstLoad = new Set([...html.matchAll(/(?:src|href)="\/assets\/([^"]+\.js)"/g)].map((m) => m[1]!))
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`
let first = 0
const rows: [string, number, boolean][] = []
for (const name of readdirSync(join(dist, 'assets'))) {
  if (!name.endsWith('.js')) continue
  const gz = gzipSync(readFileSync(join(dist, 'assets', name)), { level: 9 }).length
  const isFirst = firstLoad.has(name)
  if (isFirst) first += gz
  rows.push([name, gz, isFirst])
}
rows.sort((a, b) => b[1] - a[1])
for (const [name, gz, isFirst] of rows)
  console.log(`${isFirst ? 'first load' : 'lazy      '}  ${kb(gz).padStart(9)}  ${name}`)
console.log(`first load JavaScript, gzipped: ${kb(first)} (budget 150 KB)`)
if (first > 150 * 1024) process.exitCode = 1
