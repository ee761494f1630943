/**
 * Browser (H5): nothing to arm. The H5 app is a hash-routed page, so "back" never unloads it, and
 * a receipt not yet confirmed stays reachable from the home page anyway.
 */
export function guardLeaving(_message: string): () => void {
  void _message
  return () => undefined
}
