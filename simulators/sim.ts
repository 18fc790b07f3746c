import { runCli } from './lib/cli.js'
import { parseOptions } from './sim/options.js'
import { simMain } from './sim/run.js'

// `npm run sim -- [options]`: see `npm run sim -- --help` and the README's "Simulators" section.

runCli('sim', () => simMain(parseOptions(process.argv.slice(2))))
