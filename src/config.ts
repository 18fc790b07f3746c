import path from 'node:path'
import { z } from 'zod'

// One schema over process.env (CONTRACT.md, "Configuration"). Every variable is optional.

const port = z.coerce.number().int().min(0).max(65535)
const durationUnits = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const

/** "90s", "15m", "12h", "7d" → milliseconds. */
const duration = z
  .string()
  .regex(/^\d+[smhd]$/, 'a number followed by s, m, h or d, e.g. 12h')
  .transform((v) => Number(v.slice(0, -1)) * durationUnits[v.at(-1) as keyof typeof durationUnits])

const url = (protocols: string[]) =>
  z
    .string()
    .url()
    .refine((v) => protocols.includes(new URL(v).protocol), `must start with ${protocols.join(' or ')}//`)

/** A map tile URL template: {z}/{x}/{y} required; placeholders such as {s} may stand in the host too. */
function isTileTemplate(v: string): boolean {
  if (!['{z}', '{x}', '{y}'].every((p) => v.includes(p))) return false
  try {
    return ['http:', 'https:'].includes(new URL(v.replaceAll(/\{\w+\}/g, '0')).protocol)
  } catch {
    return false
  }
}

const envSchema = z.object({
  HTTP_PORT: port.default(8080),
  HTTP_HOST: z.string().min(1).default('0.0.0.0'),
  MQTT_PORT: port.default(1883),
  MQTT_HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./var'),
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  // external-broker mode (src/broker/external.ts): the hub is a client of this MQTT 5 cluster
  MQTT_URL: url(['mqtt:', 'mqtts:', 'tcp:', 'ws:', 'wss:']).optional(),
  // the MQTT client id in external-broker mode; unset → generated once and kept in DATA_DIR (instance.ts)
  HUB_INSTANCE_ID: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'letters, digits, _ . : - (at most 64)')
    .optional(),
  // sessions per instance in external-broker mode (each carries one message in flight); keep it across restarts
  HUB_MQTT_SESSIONS: z.coerce.number().int().min(1).max(64).default(32),
  HUB_BROKER_AUTH_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  HUB_ADMIN_PASSWORD: z.string().min(8, 'at least 8 characters').optional(),
  HUB_WEBHOOK_SECRET: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/=]{16,}$/, 'whsec_ followed by base64')
    .optional(),
  SMTP_URL: url(['smtp:', 'smtps:']).optional(),
  SMTP_FROM: z.string().min(3).default('hub@localhost'),
  SMS_GATEWAY_URL: url(['http:', 'https:']).optional(),
  SMS_GATEWAY_TOKEN: z.string().optional(),
  HUB_PUBLIC_URL: url(['http:', 'https:']).optional(),
  // the console's map: a tile URL template; unset keeps the console offline (a plain background)
  HUB_MAP_TILES: z
    .string()
    .refine(
      isTileTemplate,
      'an http(s) URL template with {z}, {x} and {y} (e.g. https://tile.example/{z}/{x}/{y}.png)',
    )
    .optional(),
  HUB_SECRET_KEY: z.string().min(32, 'at least 32 characters').optional(),
  HUB_TOKEN_TTL: duration.default(12 * 3_600_000),
  // host names and CIDR ranges the hub may send to although loopback, private or link-local (README, SSRF)
  HUB_OUTBOUND_ALLOW: z
    .string()
    .refine(
      (v) => v.split(',').every((i) => /^[\w.:-]+(\/\d{1,3})?$/.test(i.trim())),
      'comma-separated host names and CIDR ranges, e.g. 127.0.0.0/8,::1,localhost',
    )
    .optional(),
  HUB_PASSWORD_MIN_LENGTH: z.coerce.number().int().min(8).max(12).default(8),
  HUB_NOTIFY_DEADLINE: duration.default(24 * 3_600_000),
  HUB_DEDUPE_WINDOW: duration.default(24 * 3_600_000),
  HUB_ACK_LINK_TTL: duration.default(24 * 3_600_000),
  HUB_FIRE_CONFIRM_WINDOW: duration.default(120_000),
  HUB_FIRE_ACK_WINDOW: duration.default(15_000),
  HUB_FIRE_INVESTIGATE_WINDOW: duration.default(180_000),
  HUB_CENTRE_HEARTBEAT: duration.default(5 * 60_000),
  HUB_SUPERVISION_INTERVAL: duration.default(60_000),
  HUB_NO_CONTACT_AFTER: duration.default(30 * 86_400_000),
  HUB_NO_CONTACT_INTERVAL: duration.default(3_600_000),
  HUB_ALERT_DETAILS_RETENTION: duration.default(365 * 86_400_000),
  HUB_RETENTION_INTERVAL: duration.default(3_600_000),
  HUB_PAID_CAP_PER_RESIDENT: z.coerce.number().int().min(1).max(100_000).default(30),
  HUB_PAID_CAP_PER_CONTACT: z.coerce.number().int().min(1).max(100_000).default(10),
  HUB_OFFLINE_FACTOR: z.coerce.number().positive().max(100).default(2),
  // activity and device health (src/rules/): how often the rules are swept, battery hysteresis, flap control
  HUB_RULES_INTERVAL: duration.default(15_000),
  HUB_BATTERY_LOW: z.coerce.number().min(0).max(100).default(20),
  HUB_BATTERY_OK: z.coerce.number().min(0).max(100).default(40),
  HUB_FLAP_LIMIT: z.coerce.number().int().min(1).max(1000).default(5),
  HUB_FLAP_WINDOW: duration.default(10 * 60_000),
  // the GB/T 26875.3 receiver's TCP port, on HTTP_HOST; unset: no receiver
  UITD_PORT: port.optional(),
  // the same over TLS, with HUB_TLS_CERT / HUB_TLS_KEY; unset: no TLS listener
  UITDS_PORT: port.optional(),
  // OneNET data push (数据推送): the token configured for the push in OneNET Studio; unset: the route refuses all
  ONENET_PUSH_TOKEN: z.string().min(1).max(200).optional(),
  // OneNET OpenAPI for commands to devices with an externalId (README "OneNET commands"); unset: commands use MQTT
  ONENET_API_URL: z.url().optional(),
  ONENET_API_KEY: z.string().min(1).max(1000).optional(),
  ONENET_PRODUCT_ID: z.string().min(1).max(100).optional(),
  ONENET_API_TIMEOUT: duration.default(5_000),
  HUB_TELEMETRY_BUDGET: z.coerce.number().int().min(1).max(1_000_000).default(5_000),
  HUB_READINGS_RETENTION: duration.pipe(z.number().min(86_400_000, 'at least 1d')).default(400 * 86_400_000),
  // the broker's limits (README, "Security"): a socket without CONNECT, a flooding connection, a login loop
  HUB_MQTT_CONNECT_TIMEOUT: duration.default(5_000),
  HUB_MQTT_MESSAGE_RATE: z.coerce.number().positive().max(1_000_000).default(200),
  HUB_MQTT_MESSAGE_BURST: z.coerce.number().int().min(1).max(1_000_000).default(1_000),
  HUB_MQTT_CONNECTS_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(30),
  HUB_MQTT_AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(30),
  // TLS (README, "Security"): PEM files; with both set, the HTTP port serves HTTPS (and WSS) and MQTTS_PORT MQTT over TLS
  HUB_TLS_CERT: z.string().min(1).optional(),
  HUB_TLS_KEY: z.string().min(1).optional(),
  MQTTS_PORT: port.default(8883),
  // browser origins allowed to call the API (CORS), comma-separated; unset: none
  HUB_CORS_ORIGINS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.url().refine((o) => new URL(o).origin === o, 'an origin: scheme://host[:port], no path')))
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
})

export type Config = Omit<z.output<typeof envSchema>, 'HUB_PUBLIC_URL' | 'DATA_DIR'> & {
  HUB_PUBLIC_URL: string
  /** HUB_PUBLIC_URL was not set: links point at the bind address, which families' phones cannot reach */
  publicUrlDefaulted: boolean
  DATA_DIR: string
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
  }
}

/** Parses the environment; throws a ConfigError naming every bad variable at once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means "unset", as in most shells' `VAR= cmd`.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''))
  const parsed = envSchema.safeParse(present)
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`))
  }
  const c = parsed.data
  if (c.HUB_BATTERY_OK <= c.HUB_BATTERY_LOW) {
    throw new ConfigError(['HUB_BATTERY_OK: must be above HUB_BATTERY_LOW (the hysteresis)'])
  }
  if (!c.HUB_TLS_CERT !== !c.HUB_TLS_KEY) {
    throw new ConfigError(['HUB_TLS_CERT and HUB_TLS_KEY: set both (PEM files) or neither'])
  }
  const host = c.HTTP_HOST === '0.0.0.0' || c.HTTP_HOST === '::' ? 'localhost' : c.HTTP_HOST
  return {
    ...c,
    DATA_DIR: path.resolve(c.DATA_DIR),
    HUB_PUBLIC_URL: c.HUB_PUBLIC_URL ?? `${c.HUB_TLS_CERT ? 'https' : 'http'}://${host}:${c.HTTP_PORT}`,
    publicUrlDefaulted: c.HUB_PUBLIC_URL === undefined,
  }
}
