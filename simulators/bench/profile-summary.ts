import { readFile } from 'node:fs/promises'

// Where a server's time went, from a V8 CPU profile (`BENCH_CPU_PROF=<dir> npm run bench …`): self time summed
// by package (node_modules/<name>), by hub folder (src/<dir>/<file>), by node internals, and V8's own
// (idle, GC, program). Usage: npx tsx simulators/bench/profile-summary.ts <file.cpuprofile> [top]

interface Node {
  id: number
  callFrame: { functionName: string; url: string }
}

interface Profile {
  nodes: Node[]
  samples: number[]
  timeDeltas: number[]
}

function category({ functionName, url }: Node['callFrame']): string {
  if (!url) return functionName.startsWith('(') ? functionName : 'native'
  const pkg = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)
  if (pkg) return pkg[1]!
  const own = url.match(/\/(src|devices|simulators)\/(.*)$/)
  if (own) return `${own[1]}/${own[2]}`
  if (url.startsWith('node:')) return url.replace(/^node:(internal\/)?/, 'node:').split('/')[0]!
  return url
}

const [file, top = '30'] = process.argv.slice(2)
if (!file) throw new Error('usage: profile-summary <file.cpuprofile> [top]')
const profile = JSON.parse(await readFile(file, 'utf8')) as Profile
const byId = new Map(profile.nodes.map((n) => [n.id, n]))
const totals = new Map<string, number>()
let all = 0
profile.samples.forEach((id, i) => {
  const us = profile.timeDeltas[i] ?? 0
  all += us
  const c = category(byId.get(id)!.callFrame)
  totals.set(c, (totals.get(c) ?? 0) + us)
})
const busy = all - (totals.get('(idle)') ?? 0)
console.log(`${file}: ${(all / 1e6).toFixed(1)} s profiled, ${(busy / 1e6).toFixed(1)} s busy`)
console.log(`${'self time'.padEnd(56)}     s   % all  % busy`)
for (const [c, us] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) {
  const pctBusy = c === '(idle)' ? '' : ((100 * us) / busy).toFixed(1).padStart(8)
  console.log(
    `${c.slice(0, 56).padEnd(56)}${(us / 1e6).toFixed(2).padStart(6)}${((100 * us) / all).toFixed(1).padStart(8)}${pctBusy}`,
  )
}
