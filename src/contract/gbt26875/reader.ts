import {
  BadFrame,
  decodeFrame,
  END,
  type Frame,
  HEADER_BYTES,
  MAX_DATA_BYTES,
  OVERHEAD_BYTES,
  START,
} from './frame.js'

// Cuts a TCP byte stream into frames. It holds at most one frame's worth of bytes, skips anything that does not
// start with @@ (counted as garbage), and reports every whole-but-wrong frame with its reason; after a frame
// whose end mark is missing it resynchronises on the next @@, so one bad frame never swallows a good one.

export type ReadResult = { frame: Frame } | { bad: BadFrame } | { garbage: number }

const MAX_FRAME = OVERHEAD_BYTES + MAX_DATA_BYTES

export class FrameReader {
  private buf: Buffer = Buffer.alloc(0)

  /** Everything `chunk` completes, in order (at most one frame's bytes are kept between chunks). */
  push(chunk: Uint8Array): ReadResult[] {
    const out: ReadResult[] = []
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : Buffer.from(chunk)
    for (;;) {
      const start = this.findStart()
      if (start > 0) {
        out.push({ garbage: start })
        this.buf = this.buf.subarray(start)
      }
      if (this.buf.length < HEADER_BYTES) return out
      const length = this.buf.readUInt16LE(24)
      if (length > MAX_DATA_BYTES) {
        out.push({ bad: new BadFrame('too-long', Uint8Array.from(this.buf.subarray(0, HEADER_BYTES))) })
        this.buf = this.buf.subarray(2)
        continue
      }
      const size = OVERHEAD_BYTES + length
      if (this.buf.length < size) return out
      const bytes = Uint8Array.from(this.buf.subarray(0, size))
      if (bytes[size - 1] !== END || bytes[size - 2] !== END) {
        out.push({ bad: new BadFrame('no-end-mark', bytes) })
        this.buf = this.buf.subarray(2)
        continue
      }
      this.buf = this.buf.subarray(size)
      try {
        out.push({ frame: decodeFrame(bytes) })
      } catch (err) {
        if (!(err instanceof BadFrame)) throw err
        out.push({ bad: err })
      }
    }
  }

  /** bytes waiting for the rest of their frame */
  get pending() {
    return this.buf.length
  }

  /** Where the next @@ starts; when there is none, keeps a trailing @ that may begin one. */
  private findStart(): number {
    const i = this.buf.indexOf(Buffer.from([START, START]))
    if (i >= 0) return i
    return this.buf.length && this.buf[this.buf.length - 1] === START ? this.buf.length - 1 : this.buf.length
  }
}

export { MAX_FRAME }
