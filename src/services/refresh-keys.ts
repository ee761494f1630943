/**
 * Browser (H5): the key list check (Ed25519, SHA-256) is a separate chunk, fetched after the first
 * screen, so that the home page's first load carries no crypto code. Offline or without the chunk,
 * the phone simply keeps the list it accepted last.
 */
export function refreshKeyListSoon(): void {
  import('./key-list')
    .then((m) => m.refreshKeyList())
    .catch(() => undefined)
}
