import { connect, type Socket } from 'node:net'
import { connect as connectTls } from 'node:tls'
import { commands, encodeFrame, type Frame, type TimeLabel } from '../src/contract/gbt26875/frame.js'
import { FrameReader } from '../src/contract/gbt26875/reader.js'
import {
  encodeUnit,
  type InfoObject,
  layouts,
  stateBits,
  type UnitType,
} from '../src/contract/gbt26875/units.js'

// A simulated user information transmission device (UITD) speaking GB/T 26875.3 over TCP: it numbers its frames,
// repeats one until the centre answers it (confirm, deny or response, matched by serial number), and can drop
// its link and restore it. Tests, scenarios and the benchmark drive the hub through it as a real UITD would.

export interface UitdOptions {
  /** the UITD's address, 12 hex digits in travel order */
  address: string
  /** the centre's address (destination of every frame) */
  centre?: string
  /** how long to wait for an answer before sending the frame again */
  repeatMs?: number
  /** sends of one frame at most (the first and its repeats) */
  maxSends?: number
  /** the UITD's clock, as local time in its site's zone */
  clock?: () => TimeLabel
  /** TLS (the hub's UITDS_PORT), trusting this CA certificate */
  tls?: { ca: Buffer } | null
}

interface Waiting {
  resolve: (answer: Frame) => void
  reject: (err: Error) => void
  bytes: Buffer
  sends: number
  timer?: NodeJS.Timeout
}

/** Local wall-clock time of `zone` as a time label. */
export function localLabel(zone = 'Asia/Shanghai', at = new Date()): TimeLabel {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
      .formatToParts(at)
      .map((p) => [p.type, Number(p.value)]),
  )
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
  }
}

export class SimUitd {
  private socket?: Socket
  private serial = 0
  private readonly waiting = new Map<number, Waiting>()
  /** every frame the centre sent, in order */
  readonly received: Frame[] = []
  /** how many frames went out, repeats included */
  sent = 0

  private constructor(
    private readonly host: string,
    private readonly port: number,
    readonly opts: Required<UitdOptions>,
  ) {}

  static async connect(host: string, port: number, opts: UitdOptions): Promise<SimUitd> {
    const u = new SimUitd(host, port, {
      centre: '000000000000',
      repeatMs: 2_000,
      maxSends: 10,
      clock: () => localLabel(),
      tls: null,
      ...opts,
    })
    await u.restore()
    return u
  }

  get connected() {
    return Boolean(this.socket && !this.socket.destroyed)
  }

  /** (Re)opens the link; frames waiting for an answer are sent again at once. */
  async restore() {
    const { tls } = this.opts
    const socket = tls
      ? connectTls({ host: this.host, port: this.port, ca: tls.ca })
      : connect({ host: this.host, port: this.port })
    await new Promise<void>((resolve, reject) => {
      socket.once(tls ? 'secureConnect' : 'connect', resolve)
      socket.once('error', reject)
    })
    socket.on('error', () => {})
    const reader = new FrameReader()
    socket.on('data', (chunk) => {
      for (const r of reader.push(chunk)) if ('frame' in r) this.answered(r.frame)
    })
    this.socket = socket
    for (const w of this.waiting.values()) this.transmit(w)
  }

  /** Cuts the link (a network failure): nothing is sent until restore(). */
  drop() {
    this.socket?.destroy()
  }

  /** Ends the link and gives up on unanswered frames. */
  close() {
    for (const [serial, w] of this.waiting) {
      clearTimeout(w.timer)
      w.reject(new Error(`frame ${serial} unanswered at close`))
    }
    this.waiting.clear()
    this.socket?.destroy()
  }

  /** Sends a unit; resolves with the centre's answer, repeating the frame until there is one. */
  send(
    type: UnitType | number,
    objects: InfoObject[],
    opts: { command?: number; serial?: number } = {},
  ): Promise<Frame> {
    const frame = this.frame(encodeUnit({ type, objects }), opts)
    return this.sendFrame(frame)
  }

  /** A frame as this UITD would send it (the next serial number unless given). */
  frame(data: Uint8Array, opts: { command?: number; serial?: number } = {}): Frame {
    if (opts.serial === undefined) this.serial = (this.serial + 1) & 0xffff
    const serial = opts.serial ?? this.serial
    return {
      serial,
      version: { major: 1, minor: 0 },
      time: this.opts.clock(),
      source: this.opts.address,
      destination: this.opts.centre,
      command: opts.command ?? commands.send,
      data,
    }
  }

  sendFrame(frame: Frame): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const w: Waiting = { resolve, reject, bytes: encodeFrame(frame), sends: 0 }
      this.waiting.set(frame.serial, w)
      this.transmit(w)
    })
  }

  /** Bytes as they are, unanswered (malformed frames, garbage). */
  sendRaw(bytes: Uint8Array) {
    if (this.connected) this.socket!.write(bytes)
  }

  /** A fire alarm of one component of a panel (unit 2, fire bit set). */
  fire(componentAddress: number, opts: { systemAddress?: number; description?: string } = {}) {
    return this.send(2, [
      {
        systemType: 1,
        systemAddress: opts.systemAddress ?? 1,
        componentType: 40, // point-type smoke detector (GB/T 26875.3 table of component types)
        componentAddress,
        state: bit('normal') | bit('fire'),
        description: opts.description ?? '',
        time: this.opts.clock(),
      },
    ])
  }

  /** One frame of every upload unit type of the standard, each answered before the next. */
  async everyUnit(): Promise<Frame[]> {
    const answers = []
    for (const [type, objects] of sampleUnits(this.opts.clock())) answers.push(await this.send(type, objects))
    return answers
  }

  private transmit(w: Waiting) {
    clearTimeout(w.timer)
    if (w.sends >= this.opts.maxSends) {
      for (const [k, v] of this.waiting) if (v === w) this.waiting.delete(k)
      return w.reject(new Error(`unanswered after ${w.sends} sends`))
    }
    if (this.connected) {
      w.sends++
      this.sent++
      this.socket!.write(w.bytes)
    }
    w.timer = setTimeout(() => this.transmit(w), this.opts.repeatMs)
  }

  private answered(f: Frame) {
    this.received.push(f)
    const w = this.waiting.get(f.serial)
    if (!w || f.source !== this.opts.centre || f.destination !== this.opts.address) return
    clearTimeout(w.timer)
    this.waiting.delete(f.serial)
    w.resolve(f)
  }
}

const bit = (name: (typeof stateBits)[number]) => 1 << stateBits.indexOf(name)

/** An ordinary object of every upload unit type (1..8, 21..28): what a healthy panel and UITD report. */
export function sampleUnits(time: TimeLabel): [UnitType, InfoObject[]][] {
  const sys = { systemType: 1, systemAddress: 1 }
  const component = { ...sys, componentType: 40, componentAddress: 1001 }
  const objects: Partial<Record<UnitType, InfoObject>> = {
    1: { ...sys, state: bit('normal'), time },
    2: { ...component, state: bit('normal'), description: '一楼走廊烟感', time },
    3: { ...component, analogType: 3, value: 215, time },
    4: { ...sys, operation: 1 << 4, operator: 1, time },
    5: { ...sys, major: 2, minor: 1 },
    6: { ...sys, description: '火灾报警控制器 JB-QB-1' },
    7: { ...component, description: '一楼走廊烟感' },
    8: { ...sys, time },
    21: { state: 1, time },
    24: { operation: 1 << 5, operator: 0, time },
    25: { major: 1, minor: 3 },
    26: { description: '用户信息传输装置' },
    28: { time },
  }
  return Object.entries(objects).map(([type, o]) => {
    if (!(type in layouts)) throw new Error(`no layout ${type}`)
    return [Number(type) as UnitType, [o!]]
  })
}
