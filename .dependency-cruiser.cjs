// The house's layering (DESIGN.md, "arrows point down, never up"), checked in CI by `npm run lint:deps`:
// a wrong import fails the build instead of waiting for a reviewer to notice.

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      comment:
        'src/core decides (state + input + now → new state + effects): it may use devices/ (data), zod and ' +
        'luxon, and nothing with I/O, no clock of its own, nothing above it in src/',
      severity: 'error',
      from: { path: '^src/core/' },
      to: {
        pathNot: ['^src/core/', '^devices/', '^node_modules/(zod|luxon)/'],
      },
    },
    {
      name: 'devices-are-data',
      comment: 'a device definition is data: schemas, decoders, rules; it imports only devices/ and zod',
      severity: 'error',
      from: { path: '^devices/' },
      to: { pathNot: ['^devices/', '^node_modules/zod/'] },
    },
    {
      name: 'store-knows-no-web',
      comment: 'src/store is called, never calls up: no HTTP, live feed, broker, ingest or runner',
      severity: 'error',
      from: { path: '^src/store/' },
      to: {
        path: [
          '^src/(http|broker|ingest|alerting|supervision)/',
          '^node_modules/(fastify|@fastify|ws|aedes|mqtt)/',
        ],
      },
    },
    {
      name: 'runner-is-above-core-and-store',
      comment: 'the alerting runner calls the core and the store; neither calls it',
      severity: 'error',
      from: { path: '^src/(core|store|contract)/' },
      to: { path: '^src/alerting/' },
    },
    {
      name: 'simulators-use-the-public-contract',
      comment:
        'simulators drive the hub as any client would: the public contract (src/contract/) and the device ' +
        'definitions only. The bench harness alone also starts a private PostgreSQL as the hub does and ' +
        'picks free ports (src/store/embedded.ts, src/net.ts).',
      severity: 'error',
      from: { path: '^simulators/', pathNot: '^simulators/bench/' },
      to: { path: '^src/', pathNot: '^src/contract/' },
    },
    {
      name: 'bench-uses-the-public-contract',
      comment: 'see simulators-use-the-public-contract',
      severity: 'error',
      from: { path: '^simulators/bench/' },
      to: { path: '^src/', pathNot: ['^src/contract/', '^src/store/embedded\\.ts$', '^src/net\\.ts$'] },
    },
    {
      name: 'console-is-a-client',
      comment: 'web/ is a client of the public API and live feed only',
      severity: 'error',
      from: { path: '^web/' },
      to: { path: '^(src|simulators)/', pathNot: '^src/contract/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      // type declarations name ambient modules (vite/client) that only the compiler resolves
      from: { pathNot: '\\.d\\.ts$' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(var|dist|web/dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // packages that publish only an "exports" map (aedes, csv-parse/sync) resolve through it
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
}
