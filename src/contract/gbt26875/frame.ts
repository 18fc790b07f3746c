// GB/T 26875.3-2011 (城市消防远程监控系统 第3部分：报警传输网络通信协议), the frame: what a user information
// transmission device (UITD, 用户信息传输装置) and a monitoring centre exchange over TCP. Shared by the hub's
// receiver (src/uitd/) and the UITD simulator, so both speak one layout.
//
//   @@ | serial 2 | version 2 | time label 6 | source 6 | destination 6 | length 2 | command 1 | data | sum 1 | ##
//
// Multi-byte integers travel low byte first. The checksum is the sum, modulo 256, of every byte from the serial
// number through the application data. Addresses stay in the order they travel (12 lowercase hex digits).

export const START = 0x40 // '@'
export const END = 0x23 // '#'
/** bytes before the application data: @@ and the control unit */
export const HEADER_BYTES = 27
/** a frame's bytes besides its application data */
export const OVERHEAD_BYTES = 30
/** the standard's upper bound on the application data unit */
export const MAX_DATA_BYTES = 1024

export const commands = { control: 1, send: 2, confirm: 3, request: 4, response: 5, deny: 6 } as const
export type CommandName = keyof typeof commands

/** A time label as the UITD's clock shows it: local time, no zone (the receiver reads it in the site's). */
export interface TimeLabel {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
}

export interface Frame {
  /** 业务流水号, 0..65535: the UITD's own counter; a repeat with the same number is a retransmission */
  serial: number
  version: { major: number; minor: number }
  time: TimeLabel
  source: string
  destination: string
  command: number
  /** the application data unit, undecoded (see units.ts) */
  data: Uint8Array
}

export const TIME_BYTES = 6

/** second, minute, hour, day, month, year − 2000 */
export function writeTime(out: Uint8Array, at: number, t: TimeLabel) {
  out.set([t.second, t.minute, t.hour, t.day, t.month, t.year - 2000], at)
}

export function readTime(b: Uint8Array, at: number): TimeLabel {
  return {
    second: b[at]!,
    minute: b[at + 1]!,
    hour: b[at + 2]!,
    day: b[at + 3]!,
    month: b[at + 4]!,
    year: 2000 + b[at + 5]!,
  }
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

export const isAddress = (s: string) => /^[0-9a-f]{12}$/.test(s)

function writeAddress(out: Uint8Array, at: number, address: string) {
  if (!isAddress(address)) throw new RangeError(`an address is 12 lowercase hex digits, not "${address}"`)
  out.set(Buffer.from(address, 'hex'), at)
}

export function checksum(b: Uint8Array, from: number, to: number): number {
  let sum = 0
  for (let i = from; i < to; i++) sum += b[i]!
  return sum & 0xff
}

export function encodeFrame(f: Frame): Buffer {
  if (f.data.length > MAX_DATA_BYTES) throw new RangeError(`application data of ${f.data.length} bytes`)
  const out = Buffer.alloc(OVERHEAD_BYTES + f.data.length)
  out[0] = START
  out[1] = START
  out.writeUInt16LE(f.serial, 2)
  out[4] = f.version.major
  out[5] = f.version.minor
  writeTime(out, 6, f.time)
  writeAddress(out, 12, f.source)
  writeAddress(out, 18, f.destination)
  out.writeUInt16LE(f.data.length, 24)
  out[26] = f.command
  out.set(f.data, HEADER_BYTES)
  const end = HEADER_BYTES + f.data.length
  out[end] = checksum(out, 2, end)
  out[end + 1] = END
  out[end + 2] = END
  return out
}

export type FrameFault = 'checksum' | 'no-end-mark' | 'too-long' | 'bad-time-label'

/** A frame that is whole but wrong; `frame` is there when the fault is only in its checksum or time label. */
export class BadFrame extends Error {
  constructor(
    readonly reason: FrameFault,
    readonly bytes: Uint8Array,
    readonly frame?: Frame,
  ) {
    super(reason)
  }
}

function validTime(t: TimeLabel) {
  return (
    t.month >= 1 &&
    t.month <= 12 &&
    t.day >= 1 &&
    t.day <= 31 &&
    t.hour < 24 &&
    t.minute < 60 &&
    t.second < 60
  )
}

/** Decodes one whole frame (`b` from its @@ to its ##); throws BadFrame. */
export function decodeFrame(b: Uint8Array): Frame {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength)
  const length = buf.readUInt16LE(24)
  const end = HEADER_BYTES + length
  if (buf.length !== end + 3 || buf[end + 1] !== END || buf[end + 2] !== END)
    throw new BadFrame('no-end-mark', b)
  const frame: Frame = {
    serial: buf.readUInt16LE(2),
    version: { major: buf[4]!, minor: buf[5]! },
    time: readTime(buf, 6),
    source: hex(buf.subarray(12, 18)),
    destination: hex(buf.subarray(18, 24)),
    command: buf[26]!,
    data: Uint8Array.from(buf.subarray(HEADER_BYTES, end)),
  }
  if (checksum(buf, 2, end) !== buf[end]) throw new BadFrame('checksum', b, frame)
  if (!validTime(frame.time)) throw new BadFrame('bad-time-label', b, frame)
  return frame
}

/** The answer to a frame: its serial number echoed, source and destination swapped, no application data. */
export function reply(
  to: Frame,
  command: number,
  time: TimeLabel,
  data: Uint8Array = new Uint8Array(),
): Frame {
  return {
    serial: to.serial,
    version: to.version,
    time,
    source: to.destination,
    destination: to.source,
    command,
    data,
  }
}
