import { readTime, TIME_BYTES, type TimeLabel, writeTime } from './frame.js'
import { decodeText, encodeText } from './text.js'

// The application data unit (应用数据单元): a type flag (类型标志), an object count, then that many information
// objects of the type's layout. Every layout of GB/T 26875.3-2011 §8 is one row of `layouts`; the encoder and
// decoder both walk it, so they cannot disagree. Types 128..254 are the user-defined range: kept as raw bytes.

type FieldKind = 'u8' | 'u16' | 'i16' | 'u32' | 'time' | 'text31' | 'text'
type Layout = readonly (readonly [string, FieldKind])[]

const sys = [
  ['systemType', 'u8'],
  ['systemAddress', 'u8'],
] as const
const component = [...sys, ['componentType', 'u8'], ['componentAddress', 'u32']] as const
const at = [['time', 'time']] as const

/** type flag → its name and object layout */
export const layouts = {
  1: { name: 'system-state', fields: [...sys, ['state', 'u16'], ...at] },
  2: { name: 'component-state', fields: [...component, ['state', 'u16'], ['description', 'text31'], ...at] },
  3: { name: 'component-analog', fields: [...component, ['analogType', 'u8'], ['value', 'i16'], ...at] },
  4: { name: 'system-operation', fields: [...sys, ['operation', 'u8'], ['operator', 'u8'], ...at] },
  5: { name: 'system-software', fields: [...sys, ['major', 'u8'], ['minor', 'u8']] },
  6: { name: 'system-config', fields: [...sys, ['description', 'text']] },
  7: { name: 'component-config', fields: [...component, ['description', 'text31']] },
  8: { name: 'system-time', fields: [...sys, ...at] },
  21: { name: 'uitd-state', fields: [['state', 'u8'], ...at] },
  24: { name: 'uitd-operation', fields: [['operation', 'u8'], ['operator', 'u8'], ...at] },
  25: {
    name: 'uitd-software',
    fields: [
      ['major', 'u8'],
      ['minor', 'u8'],
    ],
  },
  26: { name: 'uitd-config', fields: [['description', 'text']] },
  28: { name: 'uitd-time', fields: [...at] },
  // the centre reads (查询, command 4) and the UITD answers with the upload types above (command 5)
  61: { name: 'read-system-state', fields: [...sys] },
  62: { name: 'read-component-state', fields: [...sys, ['componentAddress', 'u32']] },
  63: { name: 'read-component-analog', fields: [...sys, ['componentAddress', 'u32']] },
  64: { name: 'read-system-operations', fields: [...sys, ['records', 'u8'], ...at] },
  65: { name: 'read-system-software', fields: [...sys] },
  66: { name: 'read-system-config', fields: [...sys] },
  67: { name: 'read-component-config', fields: [...sys, ['componentAddress', 'u32']] },
  68: { name: 'read-system-time', fields: [...sys] },
  81: { name: 'read-uitd-state', fields: [['reserved', 'u8']] },
  84: { name: 'read-uitd-operations', fields: [['records', 'u8'], ...at] },
  85: { name: 'read-uitd-software', fields: [['reserved', 'u8']] },
  86: { name: 'read-uitd-config', fields: [['reserved', 'u8']] },
  88: { name: 'read-uitd-time', fields: [['reserved', 'u8']] },
  // control (command 1)
  89: { name: 'init-uitd', fields: [['reserved', 'u8']] },
  90: { name: 'sync-clock', fields: [...at] },
  91: { name: 'inspect', fields: [['timeoutMinutes', 'u8']] },
} as const satisfies Record<number, { name: string; fields: Layout }>

export type UnitType = keyof typeof layouts
export type UnitName = (typeof layouts)[UnitType]['name']
export const unitTypes = Object.keys(layouts).map(Number) as UnitType[]

export type InfoObject = Record<string, number | string | TimeLabel>

export interface Unit {
  type: number
  /** the layout's name; `user-defined` (128..254) and `unknown` carry `raw` instead of objects */
  name: UnitName | 'user-defined' | 'unknown'
  objects: InfoObject[]
  raw?: Uint8Array
}

export const unitName = (type: number): Unit['name'] =>
  (layouts as Record<number, { name: UnitName }>)[type]?.name ??
  (type >= 128 && type <= 254 ? 'user-defined' : 'unknown')

export { bitsSet, operationBits, stateBits, uitdStateBits } from '../../../devices/gbt26875-bits.js'

export class BadUnit extends Error {}

const TEXT31 = 31

function fieldSize(kind: FieldKind, b: Uint8Array, at: number): number {
  switch (kind) {
    case 'u8':
      return 1
    case 'u16':
    case 'i16':
      return 2
    case 'u32':
      return 4
    case 'time':
      return TIME_BYTES
    case 'text31':
      return TEXT31
    case 'text':
      if (at >= b.length) throw new BadUnit('a text length is missing')
      return 1 + b[at]!
  }
}

function readField(kind: FieldKind, b: Buffer, at: number): number | string | TimeLabel {
  switch (kind) {
    case 'u8':
      return b[at]!
    case 'u16':
      return b.readUInt16LE(at)
    case 'i16':
      return b.readInt16LE(at)
    case 'u32':
      return b.readUInt32LE(at)
    case 'time':
      return readTime(b, at)
    case 'text31':
      return decodeText(b.subarray(at, at + TEXT31))
    case 'text':
      return decodeText(b.subarray(at + 1, at + 1 + b[at]!))
  }
}

function writeField(kind: FieldKind, v: unknown, out: Buffer, at: number): number {
  switch (kind) {
    case 'u8':
      out[at] = v as number
      return 1
    case 'u16':
      out.writeUInt16LE(v as number, at)
      return 2
    case 'i16':
      out.writeInt16LE(v as number, at)
      return 2
    case 'u32':
      out.writeUInt32LE(v as number, at)
      return 4
    case 'time':
      writeTime(out, at, v as TimeLabel)
      return TIME_BYTES
    case 'text31':
      out.set(encodeText(v as string, TEXT31), at)
      return TEXT31
    case 'text': {
      const t = encodeText(v as string, 255)
      out[at] = t.length
      out.set(t, at + 1)
      return 1 + t.length
    }
  }
}

const layoutOf = (type: number): Layout | undefined =>
  (layouts as Record<number, { fields: Layout }>)[type]?.fields

/** Decodes an application data unit; throws BadUnit when its objects do not fill it exactly. */
export function decodeUnit(data: Uint8Array): Unit {
  if (data.length < 2) throw new BadUnit('an application data unit has a type flag and an object count')
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  const type = b[0]!
  const count = b[1]!
  const fields = layoutOf(type)
  const name = unitName(type)
  if (!fields) return { type, name, objects: [], raw: Uint8Array.from(b.subarray(2)) }
  const objects: InfoObject[] = []
  let at = 2
  for (let n = 0; n < count; n++) {
    const o: InfoObject = {}
    for (const [key, kind] of fields) {
      const size = fieldSize(kind, b, at)
      if (at + size > b.length) throw new BadUnit(`${name}: object ${n + 1} of ${count} is cut short`)
      o[key] = readField(kind, b, at)
      at += size
    }
    objects.push(o)
  }
  if (at !== b.length) throw new BadUnit(`${name}: ${b.length - at} bytes after ${count} objects`)
  return { type, name, objects }
}

export function encodeUnit(u: Pick<Unit, 'type' | 'objects' | 'raw'>): Uint8Array {
  const fields = layoutOf(u.type)
  const out = Buffer.alloc(2 + (u.raw?.length ?? 0) + u.objects.length * 300)
  out[0] = u.type
  out[1] = fields ? u.objects.length : 0
  let at = 2
  if (!fields) {
    out.set(u.raw ?? [], at)
    return Uint8Array.from(out.subarray(0, at + (u.raw?.length ?? 0)))
  }
  for (const o of u.objects) for (const [key, kind] of fields) at += writeField(kind, o[key], out, at)
  return Uint8Array.from(out.subarray(0, at))
}
