import iconv from 'iconv-lite'

// Text fields are GB 18030 (the standard names GB 18030-2005), padded with NUL bytes to their fixed width.
// Decoding uses the platform's own decoder; encoding (the simulator, tests) needs iconv-lite.

const decoder = new TextDecoder('gb18030')

export function decodeText(b: Uint8Array): string {
  let end = b.length
  while (end > 0 && b[end - 1] === 0) end--
  return decoder.decode(b.subarray(0, end))
}

/** GB 18030 bytes of `s`, cut at a whole character so they fit in `max` bytes. */
export function encodeText(s: string, max: number): Uint8Array {
  let out = iconv.encode(s, 'gb18030')
  let chars = [...s]
  while (out.length > max) {
    chars = chars.slice(0, -1)
    out = iconv.encode(chars.join(''), 'gb18030')
  }
  return out
}
