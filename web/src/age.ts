/** Whole years from a `YYYY-MM-DD` birth date to `today`'s local date; null when the date is unknown. */
export function ageInYears(birthDate: string | null | undefined, today: Date): number | null {
  const m = birthDate?.match(/^(\d{4})-(\d{2})-(\d{2})$/)
  if (!m) return null
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const month = today.getMonth() + 1
  const beforeBirthday = month < mo || (month === mo && today.getDate() < d)
  return today.getFullYear() - y - (beforeBirthday ? 1 : 0)
}
