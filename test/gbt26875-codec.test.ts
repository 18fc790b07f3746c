import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import t from 'tap'
import {
  BadFrame,
  checksum,
  decodeFrame,
  encodeFrame,
  type Frame,
  HEADER_BYTES,
  reply,
  type TimeLabel,
} from '../src/contract/gbt26875/frame.js'
import { FrameReader } from '../src/contract/gbt26875/reader.js'
import { decodeText, encodeText } from '../src/contract/gbt26875/text.js'
import { decodeUnit, encodeUnit, layouts, type UnitType, unitTypes } from '../src/contract/gbt26875/units.js'

// GB/T 26875.3 frames and application units: every layout round-trips, the checksum catches any one changed
// byte, the stream reader finds frames among garbage, and GB 18030 text survives.

const time: fc.Arbitrary<TimeLabel> = fc.record({
  year: fc.integer({ min: 2000, max: 2099 }),
  month: fc.integer({ min: 1, max: 12 }),
  day: fc.integer({ min: 1, max: 28 }),
  hour: fc.integer({ min: 0, max: 23 }),
  minute: fc.integer({ min: 0, max: 59 }),
  second: fc.integer({ min: 0, max: 59 }),
})
const address = fc.uint8Array({ minLength: 6, maxLength: 6 }).map((b) => Buffer.from(b).toString('hex'))
// Chinese, ASCII and four-byte GB 18030 characters; text fields are NUL-padded, so no NUL inside
const text = (maxChars: number) =>
  fc
    .array(fc.constantFrom('火', '警', '烟', '感', '三', '楼', 'A', '1', ' ', '😀', '龘', '·'), {
      maxLength: maxChars,
    })
    .map((cs) => cs.join(''))

const field: Record<string, fc.Arbitrary<unknown>> = {
  u8: fc.integer({ min: 0, max: 255 }),
  u16: fc.integer({ min: 0, max: 0xffff }),
  i16: fc.integer({ min: -0x8000, max: 0x7fff }),
  u32: fc.integer({ min: 0, max: 0xffffffff }),
  time,
  text31: text(7), // 7 four-byte characters fill 28 of the 31 bytes
  text: text(60),
}

const unitOf = (type: UnitType) =>
  fc
    .array(fc.record(Object.fromEntries(layouts[type].fields.map(([k, kind]) => [k, field[kind]!]))), {
      minLength: 1,
      maxLength: 4,
    })
    .map((objects) => ({ type: type as number, objects: objects as Record<string, never>[] }))

const anyUnit = fc.oneof(...unitTypes.map(unitOf))

const frame: fc.Arbitrary<Frame> = fc.record({
  serial: fc.integer({ min: 0, max: 0xffff }),
  version: fc.record({ major: fc.integer({ min: 0, max: 255 }), minor: fc.integer({ min: 0, max: 255 }) }),
  time,
  source: address,
  destination: address,
  command: fc.integer({ min: 1, max: 6 }),
  data: anyUnit.map(encodeUnit),
})

t.test('every application unit type of the standard round-trips', async (t) => {
  for (const type of unitTypes) {
    fc.assert(
      fc.property(unitOf(type), (u) => {
        const back = decodeUnit(encodeUnit(u))
        t.same(back.objects, u.objects)
        return back.type === type && back.name === layouts[type].name
      }),
      { numRuns: 40 },
    )
  }
  t.pass(`${unitTypes.length} unit types`)
})

t.test('a frame round-trips and its checksum catches any one changed byte', async (t) => {
  fc.assert(
    fc.property(frame, fc.nat(), fc.integer({ min: 1, max: 255 }), (f, at, delta) => {
      const bytes = encodeFrame(f)
      const back = decodeFrame(bytes)
      // plain objects on both sides: fast-check's records have no prototype
      const plain = (x: Frame) => JSON.parse(JSON.stringify({ ...x, data: [...x.data] }))
      if (!isDeepStrictEqual(plain(back), plain(f))) return false
      // change one byte of the checksummed part (serial number through application data)
      const i = 2 + (at % (bytes.length - 5))
      const bad = Buffer.from(bytes)
      bad[i] = (bad[i]! + delta) & 0xff
      if (i === 24 || i === 25) return true // a changed length is caught as a frame of another size
      try {
        decodeFrame(bad)
        return false
      } catch (err) {
        return err instanceof BadFrame
      }
    }),
    { numRuns: 300 },
  )
  t.pass()
})

t.test('the checksum is the byte sum from the serial number to the end of the data', async (t) => {
  const f = encodeFrame({
    serial: 0x0102,
    version: { major: 1, minor: 0 },
    time: { year: 2026, month: 12, day: 2, hour: 15, minute: 4, second: 5 },
    source: '010000000000',
    destination: '000000000000',
    command: 2,
    data: new Uint8Array(),
  })
  t.equal(f.length, 30)
  t.equal(f.subarray(0, 2).toString(), '@@')
  t.equal(f.subarray(28).toString(), '##')
  t.equal(f[27], checksum(f, 2, HEADER_BYTES))
  // serial low byte first, then the time label second first and year − 2000 last
  t.same([...f.subarray(2, 12)], [2, 1, 1, 0, 5, 4, 15, 2, 12, 26])
})

t.test('the reader finds every frame among garbage, split anywhere', async (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(frame, fc.uint8Array({ maxLength: 40 })), { minLength: 1, maxLength: 6 }),
      fc.integer({ min: 1, max: 64 }),
      (parts, chunk) => {
        // garbage without @ cannot be taken for a frame start
        const clean = (g: Uint8Array) => g.map((b) => (b === 0x40 ? 0 : b))
        const stream = Buffer.concat(parts.flatMap(([f, g]) => [clean(g), encodeFrame(f)]))
        const reader = new FrameReader()
        const serials: number[] = []
        for (let i = 0; i < stream.length; i += chunk)
          for (const r of reader.push(stream.subarray(i, i + chunk)))
            if ('frame' in r) serials.push(r.frame.serial)
        return (
          JSON.stringify(serials) === JSON.stringify(parts.map(([f]) => f.serial)) && reader.pending === 0
        )
      },
    ),
    { numRuns: 200 },
  )
  t.pass()
})

t.test('a frame without its end mark is reported and the next one still read', async (t) => {
  const f = (serial: number) =>
    encodeFrame({
      serial,
      version: { major: 1, minor: 0 },
      time: { year: 2026, month: 1, day: 1, hour: 0, minute: 0, second: 0 },
      source: '0a0b0c0d0e0f',
      destination: '000000000000',
      command: 2,
      data: encodeUnit({
        type: 21,
        objects: [{ state: 1, time: { year: 2026, month: 1, day: 1, hour: 0, minute: 0, second: 0 } }],
      }),
    })
  const broken = f(1).subarray(0, -2)
  const results = new FrameReader().push(Buffer.concat([broken, Buffer.from('xx'), f(2)]))
  t.ok(results.some((r) => 'bad' in r && r.bad.reason === 'no-end-mark'))
  t.same(
    results.flatMap((r) => ('frame' in r ? [r.frame.serial] : [])),
    [2],
  )
  t.same(
    reply(decodeFrame(f(7)), 3, { year: 2026, month: 1, day: 1, hour: 0, minute: 0, second: 1 }).source,
    '000000000000',
  )
})

t.test('GB 18030 text fields', async (t) => {
  t.equal(decodeText(Buffer.from([0xbb, 0xf0, 0xbe, 0xaf, 0, 0])), '火警')
  t.equal(encodeText('一二三四五六七八九十一二三四五六七', 31).length, 30, 'cut at a whole character')
  t.throws(() => decodeUnit(Uint8Array.from([2, 1, 0])), /cut short/)
  t.throws(
    () => decodeUnit(Uint8Array.from([21, 1, 1, 0, 0, 0, 1, 1, 26, 9])),
    /bytes after/,
    'bytes after the objects',
  )
  const u = decodeUnit(Uint8Array.from([200, 0, 1, 2, 3]))
  t.equal(u.name, 'user-defined')
  t.same([...u.raw!], [1, 2, 3])
})
