/**
 * Every way opening an envelope or a key file can fail. Callers branch on `code`; the message is
 * for the operator and never contains key material or plaintext.
 */
export type EnvelopeErrorCode =
  /** The header is not exactly { v, suite, kid, epk } of a known version with valid values, or epk is unusable. */
  | 'BAD_HEADER'
  /** The label is not "report" or "attachment/<n>". */
  | 'BAD_LABEL'
  /** None of the supplied keys has the header's kid. */
  | 'UNKNOWN_KID'
  /** The one supplied key is not the key the envelope was made for. */
  | 'WRONG_KEY'
  /** The object has a size no object of its version can have (truncated or extended). */
  | 'TRUNCATED'
  /** The tag does not verify: altered bytes, another object's label, another report's header. */
  | 'BAD_MAC'
  /** The tags verified but the padding (v1 PKCS#7, v2 length prefix or zero padding) is invalid: a broken sender. */
  | 'BAD_PADDING'
  /** A private key file is malformed or inconsistent. */
  | 'BAD_KEY_FILE'
  /** A private key file does not open with this passphrase. */
  | 'BAD_PASSPHRASE'

export class EnvelopeError extends Error {
  readonly code: EnvelopeErrorCode

  constructor(code: EnvelopeErrorCode, message: string) {
    super(`${code}: ${message}`)
    this.name = 'EnvelopeError'
    this.code = code
  }
}
