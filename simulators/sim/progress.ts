import cliProgress from 'cli-progress'

// A progress bar on stderr for long runs: time through the run, connections, messages and alerts.

export interface ProgressValues {
  phase: string
  connected: number
  sent: number
  acked: number
  alerts: number
  expected: number
}

export interface Progress {
  update(percent: number, values: ProgressValues): void
  stop(): void
}

export function progressBar(enabled: boolean): Progress {
  if (!enabled) return { update() {}, stop() {} }
  const bar = new cliProgress.SingleBar(
    {
      format:
        'sim |{bar}| {percentage}% | {phase} | connected {connected} | sent {sent} acked {acked} | alerts {alerts}/{expected}',
      hideCursor: true,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  )
  bar.start(100, 0, { phase: 'starting', connected: 0, sent: 0, acked: 0, alerts: 0, expected: 0 })
  return {
    update: (percent, values) => bar.update(Math.min(100, Math.floor(percent)), { ...values }),
    stop: () => bar.stop(),
  }
}
