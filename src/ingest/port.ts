import type { DeviceChannel } from '../contract/topics.js'
import type { DeviceSession } from './session.js'

// The transport-neutral ingest port. Every transport (the embedded MQTT broker, an external broker, the
// GB/T 26875.3 receiver, carrier-platform push) is one adapter that finds the device and calls `accept`:
//
//   const device: DeviceSession = …            // the adapter authenticates and looks the device up
//   await port.accept(device, { channel: 'events', bytes, qos: 1 }, ack)      // raw JSON bytes, as on MQTT
//   await port.accept(device, { channel: 'events', decoded: unitObject }, ack) // already parsed by the adapter
//   await port.refuse(device, bytes, 'checksum', 'sum 0x12, frame says 0x13')  // undecodable: counted, sampled
//
// `decoded` is handed to the device definition's decoder (devices/*.ts: canonical form or a vendor form), the
// same decoder MQTT bytes reach after JSON.parse; transports never decode events themselves. `accept` settles,
// and calls `ack(null)`, once what the message carries is committed — or recorded as rejected (a bad payload is
// acknowledged too, so it never loops). It rejects, and calls `ack(err)`, only when nothing was recorded (the
// hub is stopping, the database is down): the transport must then not acknowledge, so the sender repeats.

export type InboundChannel = Exclude<DeviceChannel, 'commands'>

export type InboundMessage =
  /** bytes as a device sends them on MQTT: JSON for events and telemetry, `online`/`offline` for status */
  | { channel: InboundChannel; bytes: Buffer; qos?: number; topic?: string }
  /** a value the transport has already parsed (a frame's unit object, a platform's data point) */
  | { channel: 'events' | 'telemetry'; decoded: unknown; qos?: number; topic?: string }

export type Acknowledge = (err: Error | null) => void

export interface IngestPort {
  /**
   * Settles once committed or recorded as rejected (then `ack(null)`); rejects when nothing was recorded
   * (then `ack(err)`). `qos` 0 telemetry may be shed under load; everything else is at least once.
   * `startedAt` (hrtime) is when the transport took the message, for the stage histograms.
   */
  accept(device: DeviceSession, message: InboundMessage, ack?: Acknowledge, startedAt?: bigint): Promise<void>
  /**
   * Records what a transport could not even decode (a frame with a bad checksum): counted on the device
   * (`rejectedCount`, `hub_ingest_rejected_total{reason}`) and kept, within the device's quota, with its reason
   * (`GET /api/v1/devices/{id}/rejected`). `reason` is a short fixed word: it is a metric label.
   */
  refuse(device: DeviceSession, raw: Buffer, reason: string, detail: string, topic?: string): Promise<void>
}
