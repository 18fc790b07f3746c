import type { Bus } from './bus.js'
import type { Config } from './config.js'
import type { CommandMessage } from './contract/command-json.js'
import { CommandResults } from './ingest/command-results.js'
import { postJson } from './notify/channels/http-post.js'
import { StartupError } from './startup-error.js'
import type { Db } from './store/db.js'

// Commands to a device that reports through OneNET (a device with an externalId) cannot go over the hub's
// MQTT: the device is connected to the platform, so the command goes through the platform's OpenAPI, as a
// thing-model service call. What the platform accepts is recorded as delivered; anything else (refused by
// the outbound guard, no answer in time, non-2xx, a non-zero `code`) throws, and the route records the
// command as failed with that reason.

export interface OnenetApi {
  /** ONENET_API_URL, e.g. https://iot-api.heclouds.com */
  url: string
  /** ONENET_API_KEY, sent as the `authorization` header (OneNET's signed token) */
  key: string
  /** ONENET_PRODUCT_ID: the OneNET product the hub's devices belong to */
  productId: string
  timeoutMs: number
}

/** The API from the configuration: none without ONENET_API_URL; the URL alone is a mistake, not a default. */
export function onenetApi(config: Config): OnenetApi | null {
  const { ONENET_API_URL: url, ONENET_API_KEY: key, ONENET_PRODUCT_ID: productId } = config
  if (!url) return null
  if (!key || !productId) throw new StartupError('ONENET_API_URL needs ONENET_API_KEY and ONENET_PRODUCT_ID')
  return { url, key, productId, timeoutMs: config.ONENET_API_TIMEOUT }
}

type Publish = (deviceId: string, message: CommandMessage) => Promise<void>

/** OneNET Studio's "call service" request: the command name is the service identifier. */
export function callServiceBody(api: OnenetApi, deviceName: string, message: CommandMessage) {
  return {
    product_id: api.productId,
    device_name: deviceName,
    identifier: message.cmd,
    params: { id: message.id, ts: message.ts },
  }
}

async function callService(api: OnenetApi, deviceName: string, message: CommandMessage) {
  const url = new URL(`${api.url.replace(/\/$/, '')}/thingmodel/call-service`)
  const body = JSON.stringify(callServiceBody(api, deviceName, message))
  const out = await postJson(
    url,
    body,
    { authorization: api.key },
    { timeoutMs: api.timeoutMs, readAnswer: true },
  )
  if (out.kind === 'failed') throw new Error(`OneNET: ${out.result.error}`)
  if (out.status < 200 || out.status > 299) throw new Error(`OneNET answered HTTP ${out.status}`)
  // OneNET answers 200 with { code, msg }: code 0 is success
  let answer: { code?: unknown; msg?: unknown } = {}
  try {
    answer = JSON.parse(out.text)
  } catch {}
  if (answer.code !== undefined && answer.code !== 0)
    throw new Error(`OneNET refused it: code ${String(answer.code)} ${String(answer.msg ?? '')}`.trim())
}

/** The hub's command publish: through OneNET for devices with an externalId when the API is set, else MQTT. */
export function platformCommands(api: OnenetApi | null, db: Db, bus: Bus, mqtt: Publish): Publish {
  if (!api) return mqtt
  const results = new CommandResults(db, bus)
  return async (deviceId, message) => {
    const { rows } = await db.query<{ external_id: string | null }>(
      'SELECT external_id FROM devices WHERE id = $1',
      [deviceId],
    )
    const externalId = rows[0]?.external_id
    if (!externalId) return mqtt(deviceId, message)
    await callService(api, externalId, message)
    await results.delivered(deviceId, Buffer.from(JSON.stringify(message)))
  }
}
