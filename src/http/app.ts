import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify'
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod'
import type { Logger } from 'pino'
import type { AlertRunner } from '../alerting/runner.js'
import type { Bus } from '../bus.js'
import type { CommandMessage } from '../contract/command-json.js'
import { HubError } from '../errors.js'
import type { IngestPort } from '../ingest/port.js'
import type { Metrics } from '../metrics.js'
import type { Db } from '../store/db.js'
import type { TlsFiles } from '../tls.js'
import { auditPlugin } from './audit-hook.js'
import { authPlugin } from './auth.js'
import { consoleRoutes } from './console.js'
import { frameworkError, refuseNulBytes } from './input-guards.js'
import { markOptionalBodies } from './optional-body.js'
import { alertRoutes } from './routes/alerts.js'
import { apiKeyRoutes } from './routes/api-keys.js'
import { auditRoutes } from './routes/audit.js'
import { authRoutes } from './routes/auth.js'
import { brokerAuthRoutes } from './routes/broker-auth.js'
import { commandRoutes } from './routes/commands.js'
import { consoleConfigRoutes } from './routes/console-config.js'
import { deviceImportRoutes } from './routes/device-import.js'
import { deviceRoutes } from './routes/devices.js'
import { escalationPolicyRoutes } from './routes/escalation-policies.js'
import { familyAckRoutes } from './routes/family-ack.js'
import { familyInviteRoutes } from './routes/family-invites.js'
import { fireRoutes } from './routes/fire.js'
import { fireViewRoutes } from './routes/fire-views.js'
import { healthRoutes } from './routes/health.js'
import { ingestPushRoutes } from './routes/ingest-push.js'
import { mqttAccountRoutes } from './routes/mqtt-accounts.js'
import { personalDataRoutes } from './routes/personal-data.js'
import { placeRoutes } from './routes/places.js'
import { residentRoutes } from './routes/residents.js'
import { shiftRoutes } from './routes/shifts.js'
import { siteRoutes } from './routes/sites.js'
import { statsRoutes } from './routes/stats.js'
import { uitdRoutes } from './routes/uitds.js'
import { userRoutes } from './routes/users.js'
import { visitRoutes } from './routes/visits.js'
import { registerSecurity } from './security-headers.js'
import type { TokenService } from './tokens.js'

export interface AppDeps {
  db: Db
  bus: Bus
  metrics: Metrics
  /** every alert change goes through the alerting runner */
  alerts: AlertRunner
  log: Logger
  tokens: TokenService
  secretKey: string
  /** a route queued notifications (a fire signal sent again): the outbox sends them now */
  notificationsQueued: () => void
  /** publishes a command on a device's commands topic (the embedded broker) */
  publishCommand: (deviceId: string, message: CommandMessage) => Promise<void>
  /** the console's map tile URL template (HUB_MAP_TILES), or null for an offline plain background */
  mapTiles: string | null
  /** HUB_NO_CONTACT_AFTER: a visit older than this resolves no no-contact alert (default 30 days) */
  noContactAfterMs?: number
  /** the password policy's minimum and the base of invitation links (README, "Accounts") */
  accounts: { passwordMinLength: number; publicUrl: () => string }
  /** carrier-platform push: where reports go, and OneNET's push token (null: every push is refused) */
  push: { ingest: IngestPort; onenetToken: string | null }
  /** HUB_BROKER_AUTH_TOKEN: the external cluster's bearer for /broker/auth and /acl (null: they are off) */
  brokerAuthToken: string | null
  /** true while the broker and database are up */
  healthy: () => Promise<{ ok: boolean; broker: boolean; database: boolean }>
  /** HTTPS (and WSS) with these, else plain HTTP */
  tls?: TlsFiles | null
  /** browser origins allowed by CORS (HUB_CORS_ORIGINS); none: no CORS headers */
  corsOrigins?: string[]
}

export type App = FastifyInstance

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDeps
  }
}

function toHubError(err: FastifyError): HubError {
  if (err instanceof HubError) return err
  if (hasZodFastifySchemaValidationErrors(err)) {
    const details = err.validation.map((v) => ({
      field: [err.validationContext, ...v.instancePath.split('/').filter(Boolean)].join('.'),
      message: v.message ?? 'is not valid',
    }))
    const message = `invalid ${err.validationContext ?? 'request'}: ${details.map((d) => `${d.field} ${d.message}`).join('; ')}`
    return new HubError('HUB_ERR_VALIDATION', message, details)
  }
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new HubError('HUB_ERR_PAYLOAD_TOO_LARGE', err.message)
  if (err.statusCode === 400 || err.statusCode === 415) return new HubError('HUB_ERR_VALIDATION', err.message)
  const pgCode = (err as { code?: string }).code
  if (pgCode === 'ECONNREFUSED' || pgCode?.startsWith('08') || pgCode === '57P01') {
    return new HubError('HUB_ERR_UNAVAILABLE', 'the database is not reachable')
  }
  return new HubError('HUB_ERR_INTERNAL', 'internal error')
}

/** The HTTP app, without listening: tests drive it with inject(), main.ts with a real socket. */
export async function buildApp(deps: AppDeps) {
  // request lines only at debug: at info, a busy console would drown the log
  const app = Fastify({
    loggerInstance: deps.log.child(
      {},
      { level: ['debug', 'trace'].includes(deps.log.level) ? deps.log.level : 'warn' },
    ),
    bodyLimit: 1024 * 1024,
    // on stop, close keep-alive connections too, or a busy client holds shutdown for its 72 s keep-alive
    forceCloseConnections: true,
    ...(deps.tls ? { https: deps.tls } : {}),
    frameworkErrors: frameworkError,
  }) as unknown as FastifyInstance
  app.decorate('deps', deps)
  await registerSecurity(app, {
    tls: !!deps.tls,
    mapTiles: deps.mapTiles,
    corsOrigins: deps.corsOrigins ?? [],
  })
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const e = toHubError(err)
    if (e.code === 'HUB_ERR_INTERNAL') req.log.error({ err }, 'unhandled error')
    return reply
      .code(e.statusCode)
      .send({ error: e.code, message: e.message, ...(e.details && { details: e.details }) })
  })
  app.addHook('preValidation', refuseNulBytes)
  app.setNotFoundHandler((req, reply) =>
    reply
      .code(404)
      .send({ error: 'HUB_ERR_NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` }),
  )
  await app.register(swagger, {
    openapi: {
      info: { title: 'Eldercare hub API', version: '1' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: (doc) =>
      'openapiObject' in doc ? markOptionalBodies(doc.openapiObject) : doc.swaggerObject,
  })
  await app.register(swaggerUi, { routePrefix: '/docs' })
  await app.register(authPlugin)
  await app.register(auditPlugin)
  const api = app.withTypeProvider<ZodTypeProvider>()
  await api.register(healthRoutes)
  await api.register(
    async (v1) => {
      await v1.register(authRoutes)
      await v1.register(siteRoutes)
      await v1.register(residentRoutes)
      await v1.register(deviceRoutes)
      await v1.register(alertRoutes)
      await v1.register(escalationPolicyRoutes)
      await v1.register(familyAckRoutes)
      await v1.register(fireRoutes)
      await v1.register(userRoutes)
      await v1.register(shiftRoutes)
      await v1.register(placeRoutes)
      await v1.register(deviceImportRoutes)
      await v1.register(fireViewRoutes)
      await v1.register(commandRoutes)
      await v1.register(consoleConfigRoutes)
      await v1.register(statsRoutes)
      await v1.register(uitdRoutes)
      await v1.register(ingestPushRoutes)
      await v1.register(visitRoutes)
      await v1.register(auditRoutes)
      await v1.register(personalDataRoutes)
      await v1.register(apiKeyRoutes)
      await v1.register(familyInviteRoutes)
      await v1.register(mqttAccountRoutes)
      await v1.register(brokerAuthRoutes)
    },
    { prefix: '/api/v1' },
  )
  await app.register(consoleRoutes)
  return app as unknown as App
}
