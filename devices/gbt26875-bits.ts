// The bit tables of GB/T 26875.3 §8.2, shared by the UITD definition (what a state means) and the frame codec
// (src/contract/gbt26875/units.ts, which the simulator also uses).

/** State bits of a building fire-facility system (type 1) and a component (type 2), bit 0 first. */
export const stateBits = [
  'normal',
  'fire',
  'fault',
  'disabled',
  'supervisory',
  'started',
  'feedback',
  'delay',
  'main-power-fault',
  'backup-power-fault',
  'bus-fault',
  'manual',
  'config-changed',
  'reset',
] as const
/** State bits of the UITD itself (type 21). */
export const uitdStateBits = [
  'normal',
  'fire',
  'fault',
  'main-power-fault',
  'backup-power-fault',
  'centre-link-fault',
  'line-fault',
] as const
/** Operation bits (types 4 and 24). */
export const operationBits = [
  'reset',
  'silence',
  'manual-alarm',
  'alarm-cleared',
  'self-test',
  'confirm',
  'test',
] as const

/** The names of the bits set in `value`. */
export const bitsSet = (names: readonly string[], value: number) => names.filter((_, i) => (value >> i) & 1)
