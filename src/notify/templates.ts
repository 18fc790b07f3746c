import type { Language, NotificationMessage, NotificationReason, Recipient } from './channel.js'

// What e-mail and SMS say, in the recipient's language. Families read these under stress: the alert in words
// first, then who and where, then the one thing to do (the acknowledgement link).

interface Words {
  alertTypes: Record<string, string>
  priorities: Record<number, string>
  reasons: Record<NotificationReason, string>
  states: Record<NotificationMessage['state'], string>
  location: Record<string, string>
  priority: (n: number) => string
  greeting: (name: string) => string
  resident: string
  site: string
  device: string
  opened: string
  alert: string
  ack: string
  ackHint: string
  footer: string
  /** SMS sender tag */
  tag: string
  /** punctuation differs: full-width in Chinese */
  comma: string
  colon: string
  stop: string
}

const words: Record<Language, Words> = {
  en: {
    alertTypes: {
      sos: 'Emergency call (SOS)',
      fall: 'Fall detected',
      'presence-lost': 'Presence lost',
      smoke: 'Smoke alarm',
      fault: 'Device fault',
      tamper: 'Device tampered with',
      'low-battery': 'Low battery',
      offline: 'Device offline',
      fire: 'Fire alarm',
      leak: 'Water leak',
      'link-loss': 'Fire panel link lost',
      inactivity: 'No activity',
      'bed-exit': 'Out of bed at night',
      'vital-sign': 'Heart or breathing rate out of range',
      flapping: 'Device keeps dropping out',
      'no-contact': 'No visit or activity for a long time',
    },
    priorities: { 1: 'fire', 2: 'urgent', 3: 'technical', 4: 'information' },
    reasons: { alert: '', reminder: 'Reminder: ', unanswered: 'Still unanswered: ' },
    states: { open: 'open', acknowledged: 'acknowledged', resolved: 'resolved' },
    location: { building: 'building', floor: 'floor', zone: 'zone', room: 'room', bed: 'bed' },
    priority: (n) => `priority ${n}`,
    greeting: (name) => `Dear ${name},`,
    resident: 'Resident',
    site: 'Place',
    device: 'Device',
    opened: 'Raised at',
    alert: 'Alert',
    ack: "I'm on my way",
    ackHint: 'If you are going, tell the care team here:',
    footer: 'Sent by the eldercare hub. The care centre has been alerted too.',
    tag: 'Eldercare: ',
    comma: ', ',
    colon: ': ',
    stop: '.',
  },
  'zh-CN': {
    alertTypes: {
      sos: '紧急呼叫',
      fall: '跌倒报警',
      'presence-lost': '人员离开监测区域',
      smoke: '烟雾火警',
      fault: '设备故障',
      tamper: '设备被拆动',
      'low-battery': '电量不足',
      offline: '设备离线',
      fire: '火灾报警',
      leak: '漏水报警',
      'link-loss': '消防主机通信中断',
      inactivity: '长时间无活动',
      'bed-exit': '夜间离床未归',
      'vital-sign': '心率或呼吸异常',
      flapping: '设备频繁掉线',
      'no-contact': '长期未探访且无活动',
    },
    priorities: { 1: '火警', 2: '紧急', 3: '技术', 4: '信息' },
    reasons: { alert: '', reminder: '提醒：', unanswered: '仍无人响应：' },
    states: { open: '未处理', acknowledged: '已确认', resolved: '已处理' },
    location: { building: '楼栋', floor: '楼层', zone: '区域', room: '房间', bed: '床位' },
    priority: (n) => `优先级${n}`,
    greeting: (name) => `${name}，您好：`,
    resident: '老人',
    site: '地点',
    device: '设备',
    opened: '报警时间',
    alert: '报警编号',
    ack: '我正在赶来',
    ackHint: '如您正在前往，请点此告知护理团队：',
    footer: '本邮件由养老服务平台发送，呼叫中心也已收到此报警。',
    tag: '【养老平台】',
    comma: '，',
    colon: '：',
    stop: '。',
  },
}

/** The alert type in words; an unknown type (a newer hub-raised one) as it is. */
export function alertTypeName(type: string, language: Language): string {
  return words[language].alertTypes[type] ?? type
}

/** Every alert type with words in both languages (for the sweep test over device definitions). */
export const namedAlertTypes: ReadonlySet<string> = new Set(Object.keys(words.en.alertTypes))

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/** e.g. "23 Nov 2026, 15:00 GMT+8" / "2026年11月23日 GMT+8 15:00", in the site's time zone. */
export function formatTime(iso: string, language: Language, timeZone = 'UTC'): string {
  const format = (zone: string) =>
    new Intl.DateTimeFormat(language === 'en' ? 'en-GB' : 'zh-CN', {
      year: 'numeric',
      month: language === 'en' ? 'short' : 'long',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZone: zone,
      timeZoneName: 'short',
    }).format(new Date(iso))
  try {
    return format(timeZone)
  } catch {
    // A site with a zone this runtime does not know still gets a readable, correct time.
    return format('UTC')
  }
}

/** "building 2, floor 3, room 203" / "楼栋 2，楼层 3，房间 203", in a fixed order, known keys first. */
export function describeLocation(location: Record<string, string>, language: Language): string {
  const w = words[language]
  const known = Object.keys(w.location)
  const keys = [...known, ...Object.keys(location).filter((k) => !known.includes(k))]
  return keys
    .filter((k) => location[k])
    .map((k) => `${w.location[k] ?? k} ${location[k]}`)
    .join(w.comma)
}

function headline(m: NotificationMessage, language: Language): string {
  const w = words[language]
  const state = m.state === 'open' ? '' : ` (${w.states[m.state]})`
  return `${w.reasons[m.reason]}${alertTypeName(m.type, language)}${state}`
}

/** Label/value lines shared by the text and HTML bodies; absent parts are left out. */
function facts(m: NotificationMessage, language: Language): [string, string][] {
  const w = words[language]
  const rows: [string, string | null][] = [
    [w.resident, m.resident?.name ?? null],
    [w.site, m.site ? [m.site.name, m.site.address].filter(Boolean).join(w.comma) : null],
    [
      w.device,
      m.device
        ? [m.device.type, describeLocation(m.device.location, language)].filter(Boolean).join(w.comma)
        : null,
    ],
    [w.opened, formatTime(m.openedAt, language, m.site?.timezone)],
    [w.alert, `${m.alertId} (${w.priority(m.priority)}: ${w.priorities[m.priority] ?? m.priority})`],
  ]
  return rows.filter((r): r is [string, string] => Boolean(r[1]))
}

export interface RenderedEmail {
  subject: string
  text: string
  html: string
}

export function renderEmail(m: NotificationMessage, recipient: Recipient): RenderedEmail {
  const language = recipient.language
  const w = words[language]
  const who = [m.resident?.name, m.site?.name].filter(Boolean).join(w.comma)
  const subject = `[${w.priority(m.priority)}] ${headline(m, language)}${who ? ` — ${who}` : ''}`
  const rows = facts(m, language)
  const text = [
    w.greeting(recipient.name),
    '',
    headline(m, language),
    '',
    ...rows.map(([k, v]) => `${k}${w.colon}${v}`),
    ...(m.ackUrl ? ['', w.ackHint, `${w.ack}${w.colon}${m.ackUrl}`] : []),
    '',
    w.footer,
  ].join('\n')
  const e = escapeHtml
  const html = `<!doctype html><html lang="${language}"><head><meta charset="utf-8"><title>${e(subject)}</title></head>
<body style="font-family:sans-serif;line-height:1.5">
<p>${e(w.greeting(recipient.name))}</p>
<h1 style="font-size:1.3em;color:#b3261e">${e(headline(m, language))}</h1>
<table>${rows.map(([k, v]) => `<tr><th align="left" style="padding-right:1em">${e(k)}</th><td>${e(v)}</td></tr>`).join('')}</table>
${
  m.ackUrl
    ? `<p>${e(w.ackHint)}</p><p><a href="${e(m.ackUrl)}" style="display:inline-block;padding:.7em 1.4em;background:#b3261e;color:#fff;text-decoration:none;border-radius:.4em">${e(w.ack)}</a></p>`
    : ''
}
<p style="color:#666;font-size:.9em">${e(w.footer)}</p>
</body></html>
`
  return { subject, text, html }
}

/** Whether `text` fits one SMS: 160 GSM-7 characters (extension characters count twice), else 70 UCS-2. */
export function fitsOneSms(text: string): boolean {
  if (!/^[\x20-\x7e\n]*$/.test(text)) return text.length <= 70
  return text.length + (text.match(/[[\]{}\\^~|]/g)?.length ?? 0) <= 160
}

/**
 * One short line: tag, alert, resident, site, room, link. When that is longer than one SMS segment, the room and
 * then the site are left out if that makes it fit (the link and the resident's name always stay).
 */
export function renderSms(m: NotificationMessage, language: Language): string {
  const w = words[language]
  const location = m.device && describeLocation(m.device.location, language)
  const link = m.ackUrl ? ` ${w.ack}${w.colon}${m.ackUrl}` : ''
  const line = (...parts: (string | null | undefined)[]) => {
    const place = parts.filter(Boolean).join(w.comma)
    return `${w.tag}${headline(m, language)}${place ? `${w.comma}${place}` : ''}${w.stop}${link}`
  }
  const full = line(m.resident?.name, m.site?.name, location)
  const shorter = [line(m.resident?.name, m.site?.name), line(m.resident?.name)]
  return fitsOneSms(full) ? full : (shorter.find(fitsOneSms) ?? full)
}
