import { createHash, randomBytes } from 'node:crypto'
import { signedText } from '../devices/platforms/onenet.js'

// A OneNET Studio data-push simulator: builds thing-model notify messages for a platform device and pushes them
// to the hub's callback, signed as OneNET signs them (base64 of MD5 over token + nonce + msg).

export interface OnenetPushOptions {
  /** the hub's callback, e.g. http://127.0.0.1:8080/api/v1/ingest/onenet */
  url: string
  token: string
  productId?: string
}

export const sign = (token: string, nonce: string, msg: string) =>
  createHash('md5')
    .update(signedText(token, nonce, msg), 'utf8')
    .digest('base64')

export class SimOnenet {
  constructor(readonly opts: OnenetPushOptions) {}

  /** A thing-model notify of one device: each identifier's value as a data point. */
  notify(deviceId: string, notifyType: 'event' | 'property', params: Record<string, unknown>) {
    const time = Date.now()
    return {
      productId: this.opts.productId ?? 'prod-sim',
      deviceId,
      deviceName: `sim-${deviceId}`,
      messageType: 'notify',
      notifyType,
      data: { params: Object.fromEntries(Object.entries(params).map(([k, value]) => [k, { value, time }])) },
    }
  }

  /** Pushes `message` signed with `token` (the configured one unless given: a forged push). */
  async push(message: unknown, token = this.opts.token) {
    const msg = JSON.stringify(message)
    const nonce = randomBytes(6).toString('hex')
    const body = {
      msg,
      nonce,
      signature: sign(token, nonce, msg),
      time: Date.now(),
      id: randomBytes(8).toString('hex'),
    }
    const res = await fetch(this.opts.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    return { status: res.status, body: (await res.json().catch(() => null)) as unknown }
  }

  /** OneNET's URL check when the push is saved: the hub must answer msg itself. */
  async check(msg = randomBytes(8).toString('hex'), token = this.opts.token) {
    const nonce = randomBytes(6).toString('hex')
    const q = new URLSearchParams({ msg, nonce, signature: sign(token, nonce, msg) })
    const res = await fetch(`${this.opts.url}?${q}`)
    return { status: res.status, text: await res.text(), msg }
  }
}
