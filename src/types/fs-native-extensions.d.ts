// The part of fs-native-extensions (no types of its own) the hub uses: a non-blocking exclusive file lock.
declare module 'fs-native-extensions' {
  export function tryLock(fd: number, options?: { shared?: boolean }): boolean
}
