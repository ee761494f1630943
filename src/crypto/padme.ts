/**
 * Padmé (Nikitin et al., "Reducing Metadata Leakage from Encrypted Files and Communication with
 * PURBs", PETS 2019, §4): rounds a length up so that only its top ⌊log2 E⌋ + 1 bits, where
 * E = ⌊log2 L⌋, can be non-zero. A length leaks O(log log L) bits instead of O(log L), at an
 * overhead of at most about 12% (under 3% for a 20 MB file).
 */

/** ⌊log2 n⌋ for a positive safe integer, exactly (no floating-point logarithm). */
function floorLog2(n: number): number {
  let e = 0
  while (n >= 2) {
    n = Math.floor(n / 2)
    e++
  }
  return e
}

export function padme(length: number): number {
  if (!Number.isSafeInteger(length) || length < 0) throw new Error(`invalid length ${length}`)
  if (length < 2) return length
  const e = floorLog2(length)
  const s = floorLog2(e) + 1
  const lastBits = e - s
  if (lastBits <= 0) return length
  const unit = Math.pow(2, lastBits)
  return Math.ceil(length / unit) * unit
}
