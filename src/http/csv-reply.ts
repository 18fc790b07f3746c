import type { FastifyReply } from 'fastify'

/** Answers one CSV file (made by toCsv) as a download, outside the route's JSON answer schema. */
export function sendCsv(reply: FastifyReply, file: string, csv: string) {
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${file}"`)
    .send(csv)
}
