/** The byte-array equality (bytes-equality.ts): fast, and as strict as Jest's own. */
import { randomBytes } from 'node:crypto'

// Without the tester, Jest's element walk takes 64 s for these three compares' first one, past the
// test timeout: the test fails.
test('megabytes compare as bytes, and a one-byte difference is found', () => {
  const a = randomBytes(5 * 256 * 1024 + 77)
  const b = Buffer.from(a)
  expect(a).toEqual(b)
  b[b.length - 1] ^= 1
  expect(a).not.toEqual(b)
  expect(a).not.toEqual(b.subarray(1))
})

test.each([
  ['same bytes, same kind', new Uint8Array([1, 2]), new Uint8Array([1, 2]), true],
  ['other bytes', new Uint8Array([1, 2]), new Uint8Array([1, 3]), false],
  ['other length', new Uint8Array([1, 2]), new Uint8Array([1, 2, 0]), false],
  ['a view inside a larger buffer', new Uint8Array([9, 1, 2, 9]).subarray(1, 3), new Uint8Array([1, 2]), true],
  ['Int8Array against Uint8Array', new Int8Array([1]), new Uint8Array([1]), false],
])('%s', (_name, a, b, equal) => {
  if (equal) expect(a).toEqual(b)
  else expect(a).not.toEqual(b)
})

test('toStrictEqual still tells a Buffer from a Uint8Array', () => {
  expect(Buffer.from([1, 2])).not.toStrictEqual(new Uint8Array([1, 2]))
})
