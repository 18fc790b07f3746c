// Splits a SQL script into its statements for running them one at a time (a no-transaction migration: sent
// as one string, PostgreSQL would run them in one implicit transaction). Knows the places where a `;` does
// not end a statement: quoted strings and identifiers, dollar-quoted bodies and comments.

export function splitStatements(sql: string): string[] {
  const out: string[] = []
  let start = 0
  let i = 0
  const skipTo = (end: string, from: number) => {
    const at = sql.indexOf(end, from)
    return at < 0 ? sql.length : at + end.length
  }
  while (i < sql.length) {
    const ch = sql[i]!
    if (ch === "'" || ch === '"') {
      // a doubled quote inside is two quoted runs back to back: same result
      i = skipTo(ch, i + 1)
    } else if (ch === '-' && sql[i + 1] === '-') {
      i = skipTo('\n', i)
    } else if (ch === '/' && sql[i + 1] === '*') {
      i = skipTo('*/', i + 2)
    } else if (ch === '$') {
      const tag = /^\$[A-Za-z_]*\$/.exec(sql.slice(i))?.[0]
      i = tag ? skipTo(tag, i + tag.length) : i + 1
    } else if (ch === ';') {
      out.push(sql.slice(start, i + 1))
      i++
      start = i
    } else i++
  }
  out.push(sql.slice(start))
  return out.map((s) => s.trim()).filter((s) => s.replace(/--[^\n]*/g, '').trim() !== '')
}
