/**
 * Padmé (Nikitin et al., PETS 2019) for the v2 decryptor and the server's size checks; written
 * separately from the client's (src/crypto/padme.ts) so that the two implementations check each other.
 */
export function padme(length: number): number {
  if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`invalid length ${length}`)
  if (length < 2) return length
  const e = Math.floor(Math.log2(length))
  // Math.log2 of a safe integer can be off by one near powers of two: correct it exactly.
  const exponent = 2 ** e > length ? e - 1 : 2 ** (e + 1) <= length ? e + 1 : e
  const s = 31 - Math.clz32(exponent) + 1
  const lastBits = exponent - s
  if (lastBits <= 0) return length
  const unit = 2 ** lastBits
  return Math.ceil(length / unit) * unit
}
