import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

// Device secrets are random (192 bits) and made by the hub, so a keyed hash is as strong as a slow one and
// costs microseconds: 10,000 devices reconnecting after a restart must not wait minutes on scrypt.

export const newDeviceSecret = () => randomBytes(24).toString('base64url')

export const hashDeviceSecret = (key: string, secret: string | Buffer) =>
  createHmac('sha256', key).update(secret).digest()

export function verifyDeviceSecret(key: string, secret: Buffer, stored: Buffer): boolean {
  const h = hashDeviceSecret(key, secret)
  return h.length === stored.length && timingSafeEqual(h, stored)
}
