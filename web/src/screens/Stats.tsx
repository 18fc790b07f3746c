export function Stats() {
  return <p>Stats</p>
}
