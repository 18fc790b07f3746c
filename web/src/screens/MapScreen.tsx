export function MapScreen() {
  return <p>MapScreen</p>
}
