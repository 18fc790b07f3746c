import { Command } from 'commander'
import { z } from 'zod'
import { parseCommand } from '../lib/cli.js'

// Command-line options of `npm run bench:notify`, parsed by commander and validated by one zod schema.

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max)

const schema = z.object({
  mode: z.enum(['all', 'paced', 'burst', 'outbox']),
  devices: int(1, 5_000),
  rate: z.coerce.number().gt(0).max(1_000),
  notifications: int(1, 50_000),
  json: z.string().optional(),
})

export type NotifyBenchOptions = z.output<typeof schema>

export function notifyBenchCommand() {
  return new Command('bench:notify')
    .description(
      'Times notifications through a hub in its own process to a local webhook receiver (all on 127.0.0.1).\n' +
        'paced: SOS at --rate/s → family webhook. burst: every device presses SOS at once → family webhook, with\n' +
        'where the time goes (escalation step, outbox claim, HTTP). outbox: --notifications rows queued at once\n' +
        '(no alarm path) → deliveries per second, beside a bare HTTP client posting the same body to the same\n' +
        'receiver. outbox needs open alerts, so it runs after a burst. With DATABASE_URL the hub uses that\n' +
        'database, else an embedded PostgreSQL in a temp folder.',
    )
    .option('--mode <mode>', 'all | paced | burst | outbox (outbox runs a burst first)', 'all')
    .option('-n, --devices <n>', 'call buttons, one SOS each per pass', '1000')
    .option('--rate <n>', 'SOS per second in the paced pass', '100')
    .option('--notifications <n>', 'notifications queued at once in the outbox pass', '5000')
    .option('--json <file>', 'where to write the report (default simulators/results/notify-<date>.json)')
}

export const parseNotifyOptions = (argv: string[]) => parseCommand(notifyBenchCommand(), argv, schema)
