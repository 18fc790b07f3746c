export function Institutions() {
  return <p>Institutions</p>
}
