/** The outbox's own error: a problem on the phone that retrying will not fix by itself. */
export class LocalJobError extends Error {
  /** Resident-facing Chinese text. */
  constructor(message: string) {
    super(message)
    this.name = 'LocalJobError'
  }
}
