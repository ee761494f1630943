/** A problem on the phone that retrying will not fix by itself; the message is for the resident. */
export class LocalJobError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'LocalJobError'
  }
}
