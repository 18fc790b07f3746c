import mqtt, { type MqttClient } from 'mqtt'
import type { DeliveryResult } from '../notify/channel.js'
import { checkUrl, DEFAULT_TIMEOUT_MS, failedStatus, postJson } from '../notify/channels/http-post.js'
import { signWebhook } from '../notify/signing.js'
import { checkOutboundHost } from '../outbound.js'
import type { CentreAddress, FireSignal } from './signal.js'

// Sends a fire signal to a monitoring centre. http(s): the signal as JSON, signed like every webhook the hub
// sends (webhook-id = messageId); receipt = a 2xx. mqtt(s)://host:port/topic: published at QoS 1; receipt = the
// PUBACK. MQTT connections are kept per broker and dropped on error, so the next attempt reconnects.

export interface CentreSender {
  send(signal: FireSignal, to: CentreAddress): Promise<DeliveryResult>
  close(): Promise<void>
}

export function centreSender({
  defaultSecret,
  timeoutMs = DEFAULT_TIMEOUT_MS,
}: {
  defaultSecret: string
  timeoutMs?: number
}): CentreSender {
  const brokers = new Map<string, Promise<MqttClient>>()

  function broker(url: URL): Promise<MqttClient> {
    const key = `${url.protocol}//${url.username}@${url.host}`
    let client = brokers.get(key)
    if (!client) {
      client = mqtt.connectAsync(`${url.protocol}//${url.host}`, {
        username: decodeURIComponent(url.username) || undefined,
        password: decodeURIComponent(url.password) || undefined,
        clientId: `eldercare-hub-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
        connectTimeout: timeoutMs,
        reconnectPeriod: 0,
      })
      client.then(
        (c) => c.on('close', () => brokers.delete(key)),
        () => brokers.delete(key),
      )
      brokers.set(key, client)
    }
    return client
  }

  async function publish(url: URL, body: string): Promise<DeliveryResult> {
    const topic = decodeURIComponent(url.pathname.slice(1))
    if (!topic)
      return {
        ok: false,
        retryable: false,
        error: 'an mqtt centre URL needs a topic: mqtt://host:port/topic',
      }
    try {
      await checkOutboundHost(url.hostname)
      const client = await broker(url)
      const timeout = new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`no PUBACK within ${timeoutMs} ms`)), timeoutMs).unref(),
      )
      await Promise.race([client.publishAsync(topic, body, { qos: 1 }), timeout])
      return { ok: true, receipt: 'PUBACK' }
    } catch (err) {
      return { ok: false, retryable: true, error: (err as Error).message }
    }
  }

  return {
    async send(signal, to) {
      const body = JSON.stringify(signal)
      if (/^mqtts?:/.test(to.url)) return publish(new URL(to.url), body)
      const url = checkUrl(to.url)
      if (!(url instanceof URL)) return url
      const headers = signWebhook(to.secret || defaultSecret, signal.messageId, Date.now() / 1000, body)
      const outcome = await postJson(url, body, headers, { timeoutMs, readAnswer: false })
      if (outcome.kind === 'failed') return outcome.result
      if (outcome.status >= 200 && outcome.status < 300)
        return { ok: true, receipt: `HTTP ${outcome.status}` }
      return failedStatus(outcome.status)
    },
    async close() {
      const clients = await Promise.allSettled(brokers.values())
      brokers.clear()
      await Promise.all(clients.map((c) => (c.status === 'fulfilled' ? c.value.endAsync(true) : undefined)))
    },
  }
}
