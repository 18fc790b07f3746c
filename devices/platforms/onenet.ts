import { z } from 'zod'

// OneNET Studio data push (数据推送), as data: the push envelope, the thing-model notify it carries, and what
// each data point is for the hub. The signature itself (base64 of MD5 over token + nonce + msg) is computed in
// src/push/ (devices/ holds no crypto); `signedText` names exactly what it covers.
//
//   URL check:  GET  ?msg=<random>&nonce=<n>&signature=<s>      → 200 with msg itself
//   push:       POST { msg: "<JSON string>", nonce, signature, time, id }
//   msg:        { productId, deviceId, deviceName, messageType: "notify", notifyType: "event" | "property",
//                 data: { params: { <identifier>: { value, time? } } } }

export const platform = 'onenet'

/** The exact text the platform signs: the token, then the nonce, then msg, as received. */
export const signedText = (token: string, nonce: string, msg: string) => `${token}${nonce}${msg}`

export const urlCheck = z.object({
  msg: z.string().max(1000),
  nonce: z.string().max(100).default(''),
  // optional here so that a push without one is refused as unsigned (401, counted), not as malformed
  signature: z.string().max(200).default(''),
})

export const push = z.object({
  msg: z.string().max(64 * 1024),
  nonce: z.string().max(100).default(''),
  signature: z.string().max(200).default(''),
  time: z.number().optional(),
  id: z.string().max(200).optional(),
})

const dataPoint = z.object({ value: z.unknown(), time: z.number().optional() })

export const notify = z.object({
  productId: z.string().max(200),
  // OneNET sends it as a string or a number; the hub compares it as a string
  deviceId: z.union([z.string().max(200), z.number()]).transform(String),
  deviceName: z.string().max(200).optional(),
  messageType: z.literal('notify'),
  notifyType: z.enum(['event', 'property']),
  data: z.object({ params: z.record(z.string().max(100), dataPoint) }),
})
export type Notify = z.output<typeof notify>

/** What a notify hands ingest: each event data point's value as an event, property numbers as one reading. */
export function reports(
  n: Notify,
  receivedAt: number,
): { channel: 'events' | 'telemetry'; decoded: unknown }[] {
  const points = Object.entries(n.data.params)
  if (n.notifyType === 'event')
    return points.map(([, p]) => ({ channel: 'events' as const, decoded: p.value }))
  // a property report is a reading: its numeric points, stamped with the latest point time
  const numbers = points.filter(([, p]) => typeof p.value === 'number')
  if (numbers.length === 0) return []
  const ts = Math.max(...points.map(([, p]) => p.time ?? 0)) || receivedAt
  return [
    { channel: 'telemetry', decoded: { ts, ...Object.fromEntries(numbers.map(([k, p]) => [k, p.value])) } },
  ]
}
