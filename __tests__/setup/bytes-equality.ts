/**
 * toEqual on byte arrays, compared as bytes. Jest's own deep equality walks a Uint8Array element
 * by element: 64 s for two 1.3 MB Buffers on this machine, enough to time tests out under load.
 * Only arrays of one kind (same constructor) are compared here; anything else, and every failure
 * message, stays Jest's. Own properties beyond the elements (Object.assign(buffer, { x: 1 })) are
 * not compared: listing them means listing every index, the cost this avoids. No test here sets any.
 */
const BYTE_ARRAYS = ['[object Uint8Array]', '[object Int8Array]', '[object Uint8ClampedArray]']

function bytesEqual(a: unknown, b: unknown): boolean | undefined {
  if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b)) return undefined
  const tag = Object.prototype.toString.call(a)
  if (!BYTE_ARRAYS.includes(tag) || tag !== Object.prototype.toString.call(b) || a.constructor !== b.constructor) return undefined
  if (a.byteLength !== b.byteLength) return false
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0
}

// Jest 29.4+ has it; the @types/jest in use does not declare it yet.
;(expect as unknown as { addEqualityTesters(testers: unknown[]): void }).addEqualityTesters([bytesEqual])
