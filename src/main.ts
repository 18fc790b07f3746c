import { pino } from 'pino'
import { ConfigError, loadConfig } from './config.js'
import { startHub } from './hub.js'
import { StartupError } from './startup-error.js'

// The process: configuration, start, the one-time admin password, and shutdown on SIGINT/SIGTERM.

const SHUTDOWN_BUDGET_MS = 20_000

async function main() {
  let config: ReturnType<typeof loadConfig>
  try {
    config = loadConfig()
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`eldercare-hub: ${err.message}`)
      process.exit(2)
    }
    throw err
  }
  const log = pino({ level: config.LOG_LEVEL })
  // Handlers go in before start-up: a signal during start (initdb takes seconds) must still stop the
  // embedded database, once the hub is far enough to be stopped.
  let stopping: string | null = null
  let stopHub: (() => Promise<void>) | null = null
  const shutdown = (signal: string) => {
    if (stopping) return
    stopping = signal
    log.info({ signal }, 'shutting down')
    setTimeout(() => {
      log.error('shutdown took longer than 20 s; exiting')
      process.exit(1)
    }, SHUTDOWN_BUDGET_MS).unref()
    stopHub?.().then(
      () => process.exit(0),
      (err) => {
        log.error({ err }, 'shutdown failed')
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', () => shutdown('SIGINT'))
  process.on('SIGTERM', () => shutdown('SIGTERM'))

  let hub: Awaited<ReturnType<typeof startHub>>
  try {
    hub = await startHub(config, log)
  } catch (err) {
    if (err instanceof StartupError) {
      console.error(`eldercare-hub: ${err.message}`)
      process.exit(3)
    }
    throw err
  }
  stopHub = () => hub.stop()
  if (stopping) {
    await hub.stop()
    process.exit(0)
  }
  const base = config.HUB_PUBLIC_URL.replace(/:\d+$/, `:${hub.httpPort}`)
  const lines = [
    'eldercare hub is running',
    `  API and console  ${base}/api/v1   (OpenAPI: ${base}/docs)`,
    `  live feed        ${base.replace(/^http/, 'ws')}/api/v1/live`,
    config.MQTT_URL
      ? `  MQTT             ${config.MQTT_URL.replace(/\/\/[^@/]*@/, '//')}   (external cluster, shared subscriptions)`
      : `  MQTT             mqtt://localhost:${hub.mqttPort}   (and ${base.replace(/^http/, 'ws')}/mqtt)`,
    ...(hub.mqttTlsPort ? [`  MQTT over TLS    mqtts://localhost:${hub.mqttTlsPort}`] : []),
    `  database         ${config.DATABASE_URL ? 'DATABASE_URL' : `embedded PostgreSQL in ${config.DATA_DIR}`}`,
  ]
  if (hub.adminPassword) {
    lines.push(
      `  admin password   ${hub.adminPassword}   (shown once: note it now, or set HUB_ADMIN_PASSWORD)`,
    )
  }
  console.log(lines.join('\n'))
}

main().catch((err) => {
  console.error('eldercare-hub failed to start:', err)
  process.exit(1)
})
