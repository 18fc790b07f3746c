import type { Logger } from 'pino'
import { AlertRunner } from './alerting/runner.js'
import { publishAlertTopics } from './broker/alert-topics.js'
import { Broker } from './broker/broker.js'
import { listenCredentialEnds } from './broker/credential-events.js'
import { ExternalBroker } from './broker/external.js'
import { instanceId } from './broker/instance-id.js'
import { brokerLimits } from './broker/limits-config.js'
import { type BrokerPort, embeddedBroker } from './broker/port.js'
import { Bus } from './bus.js'
import type { Config } from './config.js'
import { centreSender } from './fire/centre-channel.js'
import { FireForwarder } from './fire/forwarder.js'
import { afterCentreAttempts } from './fire/link.js'
import { fireSignalEffect } from './fire/signal-effect.js'
import { buildApp } from './http/app.js'
import { LiveFeed } from './http/live-feed.js'
import { tokenService } from './http/tokens.js'
import { attachUpgrades } from './http/upgrade.js'
import { DedupePruner } from './ingest/dedupe-pruner.js'
import { Ingest } from './ingest/ingest.js'
import { ReadingsPruner } from './ingest/readings-pruner.js'
import { createMetrics } from './metrics.js'
import { signAckToken } from './notify/ack-link.js'
import { retryDelayMs } from './notify/backoff.js'
import { channelsFor, createChannels } from './notify/channels/index.js'
import { Escalator } from './notify/escalator.js'
import { Outbox } from './notify/outbox.js'
import { capPaidChannels } from './notify/paid-cap.js'
import { setOutboundAllow } from './outbound.js'
import { onenetApi, platformCommands } from './platform-commands.js'
import { RuleEngine } from './rules/engine.js'
import { StartupError } from './startup-error.js'
import { createPools } from './store/db.js'
import { startEmbedded } from './store/embedded.js'
import { migrate } from './store/migrate.js'
import { takePaidSend } from './store/paid-sends.js'
import { onDutyAt, supervisorsFor, usersByIds } from './store/people.js'
import { applyReadingsRetention } from './store/readings-retention.js'
import { hubSecret, randomKey, randomWebhookSecret } from './store/settings.js'
import { ensureAdmin } from './store/users.js'
import { NoContactWatch } from './supervision/no-contact-watch.js'
import { OfflineWatch } from './supervision/offline-watch.js'
import { RetentionSweep } from './supervision/retention-sweep.js'
import { loadTls, type TlsFiles } from './tls.js'
import { UitdReceiver } from './uitd/receiver.js'

// The composition root: wires store, broker, ingest, core, live feed and HTTP, and stops them in reverse.

export interface Hub {
  httpPort: number
  mqttPort: number
  /** MQTT over TLS, when HUB_TLS_CERT and HUB_TLS_KEY are set */
  mqttTlsPort: number | null
  databaseUrl: string
  /** the generated admin password on a first start without HUB_ADMIN_PASSWORD, else null */
  adminPassword: string | null
  /** every API route ("GET /api/v1/alerts/:id"): what the route × role matrix test walks */
  apiRoutes: readonly string[]
  /** the GB/T 26875.3 receiver's port, or null when UITD_PORT is unset */
  uitdPort: number | null
  /** the receiver's TLS port (UITDS_PORT with a certificate), or null */
  uitdTlsPort: number | null
  stop(): Promise<void>
}

export async function startHub(config: Config, log: Logger): Promise<Hub> {
  const stops: (() => Promise<unknown> | unknown)[] = []
  const stopAll = async () => {
    for (const stop of stops.reverse().splice(0)) {
      await Promise.resolve()
        .then(stop)
        .catch((err) => log.error({ err }, 'error while stopping'))
    }
  }
  let publicUrl = () => config.HUB_PUBLIC_URL
  if (config.publicUrlDefaulted) {
    log.warn(
      { publicUrl: config.HUB_PUBLIC_URL },
      'HUB_PUBLIC_URL is not set: acknowledgement links in family notifications point at the bind address, which phones outside this machine cannot open; set HUB_PUBLIC_URL to the address families reach the hub at',
    )
  }
  try {
    let databaseUrl = config.DATABASE_URL
    if (!databaseUrl) {
      const embedded = await startEmbedded(config.DATA_DIR, log)
      stops.push(() => embedded.stop())
      databaseUrl = embedded.url
    }
    const pools = createPools(databaseUrl)
    const db = pools.main
    stops.push(() => Promise.all(Object.values(pools).map((p) => p.end())))
    await db.query('SELECT 1').catch((err: Error) => {
      const { hostname, port, pathname } = new URL(databaseUrl)
      throw new StartupError(`cannot use the database ${hostname}:${port || 5432}${pathname}: ${err.message}`)
    })
    const applied = await migrate(db)
    if (applied.length) log.info({ migrations: applied }, 'database schema migrated')
    const readingsRetainedByTimescale = await applyReadingsRetention(db, config.HUB_READINGS_RETENTION)
    const secretKey = await hubSecret(db, 'secret_key', config.HUB_SECRET_KEY, randomKey)
    setOutboundAllow(config.HUB_OUTBOUND_ALLOW)
    const webhookSecret = await hubSecret(
      db,
      'webhook_secret',
      config.HUB_WEBHOOK_SECRET,
      randomWebhookSecret,
    )
    const adminPassword = await ensureAdmin(db, config.HUB_ADMIN_PASSWORD)
    const tls = loadTls(config)

    const metrics = createMetrics()
    const bus = new Bus()
    // a fire alarm's signal is queued in the alarm's own transaction; the outbox and forwarder exist by then
    const fireSignals = fireSignalEffect({
      windows: {
        confirmMs: config.HUB_FIRE_CONFIRM_WINDOW,
        ackMs: config.HUB_FIRE_ACK_WINDOW,
        investigateMs: config.HUB_FIRE_INVESTIGATE_WINDOW,
      },
      onQueued: () => outbox.wake(),
      onWindowStarted: () => forwarder.wake(),
    })
    const effects = [fireSignals]
    // device alarms and fire forwarding decide on the alarm pool, so they never wait for a connection behind
    // telemetry or a burst of escalation and operator work (which decide on the main pool)
    const alarms = new AlertRunner({ db: pools.alarms, bus, metrics, log, effects })
    const alerts = new AlertRunner({ db, bus, metrics, log, effects })
    const ingest = new Ingest(pools, bus, metrics, alarms, {
      telemetryBudget: config.HUB_TELEMETRY_BUDGET,
      dedupeWindowMs: config.HUB_DEDUPE_WINDOW,
    })
    // hardening that needs the broker's own sessions (credential changes, site alert topics, TLS) is embedded-only
    const embedded = config.MQTT_URL
      ? null
      : new Broker({
          db,
          ingest,
          metrics,
          log,
          secretKey,
          connectTimeoutMs: config.HUB_MQTT_CONNECT_TIMEOUT,
          limits: brokerLimits(config),
        })
    if (embedded) {
      const ends = listenCredentialEnds(db, log, (e) => embedded.endSessions(e.owner, e.endsAt, e.deleted))
      stops.push(() => ends.stop())
      publishAlertTopics(bus, (topic, payload) => embedded.publishHub(topic, payload))
    }
    const broker: BrokerPort = embedded
      ? embeddedBroker(embedded, config.MQTT_PORT, config.MQTT_HOST)
      : new ExternalBroker({
          url: config.MQTT_URL!,
          instanceId: await instanceId(config.DATA_DIR, config.HUB_INSTANCE_ID),
          sessions: config.HUB_MQTT_SESSIONS,
          db,
          ingest,
          metrics,
          log,
        })
    const live = new LiveFeed(db, bus, metrics, log)
    await live.start()
    const caps = {
      perResident: config.HUB_PAID_CAP_PER_RESIDENT,
      perContact: config.HUB_PAID_CAP_PER_CONTACT,
    }
    const channels = capPaidChannels(
      createChannels({
        webhookSecret,
        smtpUrl: config.SMTP_URL,
        smtpFrom: config.SMTP_FROM,
        smsUrl: config.SMS_GATEWAY_URL,
        smsToken: config.SMS_GATEWAY_TOKEN,
      }),
      (send) => takePaidSend(db, { ...send, at: new Date() }, caps),
    )
    const centre = centreSender({ defaultSecret: webhookSecret })
    const outbox = new Outbox({
      db,
      metrics,
      alerts,
      log,
      channels,
      centre,
      afterRecord: afterCentreAttempts,
      retryDelayMs: (attempt) => retryDelayMs(attempt),
    })
    const offline = new OfflineWatch({
      alerts,
      log,
      everyMs: config.HUB_SUPERVISION_INTERVAL,
      factor: config.HUB_OFFLINE_FACTOR,
    })
    const rules = new RuleEngine({
      db,
      alerts,
      bus,
      metrics,
      log,
      everyMs: config.HUB_RULES_INTERVAL,
      params: {
        batteryLow: config.HUB_BATTERY_LOW,
        batteryOk: config.HUB_BATTERY_OK,
        flapLimit: config.HUB_FLAP_LIMIT,
        flapWindowMs: config.HUB_FLAP_WINDOW,
      },
    })
    // before the broker takes messages: no sign of life is missed between recovery and listening
    await rules.recover()
    const forwarder = new FireForwarder({
      db: pools.alarms,
      alerts: alarms,
      log,
      heartbeatMs: config.HUB_CENTRE_HEARTBEAT,
      onQueued: () => outbox.wake(),
    })
    const escalator = new Escalator({
      db,
      bus,
      metrics,
      alerts,
      log,
      directory: { onDutyAt, supervisorsFor, usersByIds },
      addressesFor: (contact) => channelsFor(contact, channels),
      ackUrl: (notificationId) =>
        `${publicUrl()}/api/v1/family-ack/${signAckToken(secretKey, {
          notificationId,
          expiresAt: new Date(alerts.clock.now().getTime() + config.HUB_ACK_LINK_TTL),
        })}`,
      deadlineMs: config.HUB_NOTIFY_DEADLINE,
      onQueued: () => outbox.wake(),
    })
    const tokens = tokenService(secretKey, config.HUB_TOKEN_TTL)

    const app = await buildApp({
      db,
      bus,
      metrics,
      alerts,
      log,
      tokens,
      secretKey,
      notificationsQueued: () => outbox.wake(),
      publishCommand: platformCommands(onenetApi(config), db, bus, (deviceId, message) =>
        broker.publishCommand(deviceId, message),
      ),
      mapTiles: config.HUB_MAP_TILES ?? null,
      push: { ingest, onenetToken: config.ONENET_PUSH_TOKEN ?? null },
      noContactAfterMs: config.HUB_NO_CONTACT_AFTER,
      accounts: { passwordMinLength: config.HUB_PASSWORD_MIN_LENGTH, publicUrl: () => publicUrl() },
      tls,
      corsOrigins: config.HUB_CORS_ORIGINS ?? [],
      brokerAuthToken: config.HUB_BROKER_AUTH_TOKEN ?? null,
      healthy: async () => {
        const database = await db.query('SELECT 1').then(
          () => true,
          () => false,
        )
        const brokerUp = !broker.closed
        return { ok: database && brokerUp, broker: brokerUp, database }
      },
    })
    const upgrades = attachUpgrades(app.server, { db, tokens, secretKey, broker, live, log })
    stops.push(() => app.close())
    let listening: Promise<unknown> | undefined
    const listenHttp = () =>
      (listening ??= app
        .listen({ port: config.HTTP_PORT, host: config.HTTP_HOST })
        .catch((err: NodeJS.ErrnoException) => {
          if (err.code !== 'EADDRINUSE') throw err
          throw new StartupError(
            `HTTP_PORT ${config.HTTP_PORT} is in use: stop what holds it or set HTTP_PORT`,
          )
        }))
    // a cluster authenticates this hub's own sessions through its HTTP API (/broker/auth): listen first
    if (config.MQTT_URL) await listenHttp()
    const mqttPort = await broker.start().catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EADDRINUSE') throw err
      throw new StartupError(`MQTT_PORT ${config.MQTT_PORT} is in use: stop what holds it or set MQTT_PORT`)
    })
    const mqttTlsPort =
      tls && embedded
        ? await embedded
            .listenTls(config.MQTTS_PORT, config.MQTT_HOST, tls)
            .catch((err: NodeJS.ErrnoException) => {
              if (err.code !== 'EADDRINUSE') throw err
              throw new StartupError(
                `MQTTS_PORT ${config.MQTTS_PORT} is in use: stop what holds it or set MQTTS_PORT`,
              )
            })
        : null
    // Shutdown runs these last-pushed first: stop taking connections, write what is queued (PUBACKs go out),
    // then disconnect devices and live clients.
    stops.push(() => broker.close())
    stops.push(() => upgrades.close())
    stops.push(() => live.stop())
    stops.push(() => ingest.stop())
    stops.push(() => broker.stopAccepting())
    await listenHttp()
    const httpPort = (app.server.address() as { port: number }).port
    const uitdPorts = await startUitdReceiver(
      config,
      { db, ingest, metrics, log, now: () => alarms.clock.now() },
      tls,
      stops,
    )
    // links in notifications need the real port when HTTP_PORT is 0 (tests)
    publicUrl = () => config.HUB_PUBLIC_URL.replace(/:0$/, `:${httpPort}`)
    // escalation starts once the hub is reachable: overdue steps from before a crash run now
    outbox.start()
    escalator.start()
    forwarder.start()
    offline.start()
    rules.start()
    const noContact = new NoContactWatch({
      alerts,
      log,
      everyMs: config.HUB_NO_CONTACT_INTERVAL,
      afterMs: config.HUB_NO_CONTACT_AFTER,
    })
    noContact.start()
    stops.push(() => noContact.stop())
    const retention = new RetentionSweep({
      alerts,
      log,
      keepMs: config.HUB_ALERT_DETAILS_RETENTION,
      everyMs: config.HUB_RETENTION_INTERVAL,
    })
    retention.start()
    stops.push(() => retention.stop())
    const pruner = new DedupePruner({ db, log, dedupeWindowMs: config.HUB_DEDUPE_WINDOW })
    pruner.start()
    const readingsPruner = new ReadingsPruner({ db, log, retentionMs: config.HUB_READINGS_RETENTION })
    if (!readingsRetainedByTimescale) readingsPruner.start()
    stops.push(() => readingsPruner.stop())
    stops.push(() => centre.close())
    stops.push(() => outbox.stop())
    stops.push(() => escalator.stop())
    stops.push(() => forwarder.stop())
    stops.push(() => offline.stop())
    stops.push(() => rules.stop())
    stops.push(() => pruner.stop())
    return {
      httpPort,
      mqttPort,
      uitdPort: uitdPorts.plain,
      uitdTlsPort: uitdPorts.tls,
      mqttTlsPort,
      databaseUrl,
      adminPassword,
      apiRoutes: app.apiRoutes,
      stop: stopAll,
    }
  } catch (err) {
    await stopAll()
    throw err
  }
}

/**
 * The GB/T 26875.3 receiver on UITD_PORT (plain TCP) and, with a certificate, UITDS_PORT (TLS), both on
 * HTTP_HOST; closed before ingest drains. The ports, null for each that is off.
 */
async function startUitdReceiver(
  config: Config,
  deps: Omit<ConstructorParameters<typeof UitdReceiver>[0], 'linkSweepMs'>,
  tls: TlsFiles | null,
  stops: (() => unknown)[],
): Promise<{ plain: number | null; tls: number | null }> {
  const wanted = [
    { name: 'UITD_PORT', port: config.UITD_PORT, tls: undefined },
    { name: 'UITDS_PORT', port: tls ? config.UITDS_PORT : undefined, tls: tls ?? undefined },
  ]
  if (wanted.every((w) => w.port === undefined)) return { plain: null, tls: null }
  const receiver = new UitdReceiver({ ...deps, linkSweepMs: 5_000 })
  stops.push(() => receiver.close())
  const ports: (number | null)[] = []
  for (const w of wanted) {
    if (w.port === undefined) {
      ports.push(null)
      continue
    }
    const port = await receiver.start(w.port, config.HTTP_HOST, w.tls).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EADDRINUSE') throw err
      throw new StartupError(`${w.name} ${w.port} is in use: stop what holds it or set ${w.name}`)
    })
    ports.push(port)
  }
  return { plain: ports[0] ?? null, tls: ports[1] ?? null }
}
