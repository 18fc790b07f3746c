import { type Command, CommanderError } from 'commander'
import { z } from 'zod'

// Command lines of the simulator and the benchmark: commander parses, one zod schema validates.

export class UsageError extends Error {}

/** Parses `argv` (without node and the script); throws UsageError, or CommanderError for --help. */
export function parseCommand<S extends z.ZodType>(cmd: Command, argv: string[], schema: S): z.output<S> {
  cmd.exitOverride().configureOutput({ writeErr: () => {} })
  try {
    cmd.parse(argv, { from: 'user' })
  } catch (err) {
    if (err instanceof CommanderError && err.exitCode !== 0) throw new UsageError(err.message)
    throw err
  }
  const parsed = schema.safeParse(cmd.opts())
  if (!parsed.success) throw new UsageError(z.prettifyError(parsed.error))
  return parsed.data
}

/**
 * The entry point of a CLI: runs `main`, exits with its status; --help exits 0, bad options 2 (with a
 * hint), anything unexpected 1.
 */
export function runCli(name: string, main: () => Promise<number>) {
  Promise.resolve()
    .then(main)
    .catch((err) => {
      if (err instanceof CommanderError) return err.exitCode
      if (err instanceof UsageError) {
        console.error(`${name}: ${err.message}\n(see npm run ${name} -- --help)`)
        return 2
      }
      console.error(`${name} failed:`, err)
      return 1
    })
    .then((code) => process.exit(code))
}
