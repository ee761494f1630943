/** Receipts (查询码) and idempotency keys: format, uniformity, parsing what residents type. */
import { groupReceipt, newIdempotencyKey, newReceipt, parseReceiptInput } from '@/outbox'
import { toBase64Url } from '@/outbox/codes'

describe('newReceipt', () => {
  it('is 16 digits', async () => {
    for (let i = 0; i < 50; i++) expect(await newReceipt()).toMatch(/^\d{16}$/)
  })

  it('rejects bytes of 250 and above, so every digit is equally likely', async () => {
    // 250..255 would make 0..5 more likely if taken modulo 10; they must be skipped.
    const feed = [250, 251, 255, 7, 253, 19, 249, 0, 254, 99, 100, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14]
    let calls = 0
    const random = async (n: number) => {
      const out = new Uint8Array(n)
      for (let i = 0; i < n; i++) out[i] = feed[(calls * n + i) % feed.length]
      calls += 1
      return out
    }
    expect(await newReceipt(random)).toBe('7990901234568901')
  })

  it('keeps drawing when a whole batch is rejected', async () => {
    let calls = 0
    const random = async (n: number) => new Uint8Array(n).fill(calls++ === 0 ? 255 : 3)
    expect(await newReceipt(random)).toBe('3'.repeat(16))
    expect(calls).toBe(2)
  })

  it('digits are uniform in every position (chi-square over 4000 receipts)', async () => {
    const counts = Array.from({ length: 16 }, () => new Array<number>(10).fill(0))
    const total = new Array<number>(10).fill(0)
    const N = 4000
    for (let i = 0; i < N; i++) {
      const r = await newReceipt()
      for (let p = 0; p < 16; p++) {
        counts[p][Number(r[p])] += 1
        total[Number(r[p])] += 1
      }
    }
    const chi = (observed: number[], n: number) => observed.reduce((s, o) => s + (o - n / 10) ** 2 / (n / 10), 0)
    // 9 degrees of freedom: 27.9 is p = 0.001; overall and the worst of 16 positions (p = 0.0001: 33.7).
    expect(chi(total, N * 16)).toBeLessThan(27.9)
    expect(Math.max(...counts.map((c) => chi(c, N)))).toBeLessThan(33.7)
    // Leading zeros are kept: the first digit is 0 about a tenth of the time.
    expect(counts[0][0]).toBeGreaterThan(N * 0.07)
  })
})

describe('newIdempotencyKey', () => {
  it('is 32 base64url characters the server accepts, and never repeats', async () => {
    const keys = new Set<string>()
    for (let i = 0; i < 200; i++) {
      const key = await newIdempotencyKey()
      expect(key).toMatch(/^[A-Za-z0-9_-]{32}$/)
      keys.add(key)
    }
    expect(keys.size).toBe(200)
  })

  it('base64url matches Node for every length', () => {
    for (let n = 0; n < 40; n++) {
      const bytes = new Uint8Array(n).map((_, i) => (i * 37 + n * 11) & 255)
      expect(toBase64Url(bytes)).toBe(Buffer.from(bytes).toString('base64url'))
    }
  })
})

describe('groupReceipt and parseReceiptInput', () => {
  it('groups 4-4-4-4', () => {
    expect(groupReceipt('0123456789012345')).toBe('0123 4567 8901 2345')
  })

  it.each([
    ['0123456789012345', '0123456789012345'],
    ['0123 4567 8901 2345', '0123456789012345'],
    ['  0123-4567-8901-2345 ', '0123456789012345'],
    ['0123　4567　8901　2345', '0123456789012345'],
    ['０１２３ ４５６７ ８９０１ ２３４５', '0123456789012345'],
  ])('accepts %j', (text, receipt) => {
    expect(parseReceiptInput(text)).toEqual({ ok: true, receipt })
  })

  it.each([
    ['', '请输入 16 位查询码'],
    ['   ', '请输入 16 位查询码'],
    ['1234 5678', '查询码是 16 位数字，您输入了 8 位'],
    ['12345678901234567', '查询码是 16 位数字，您输入了 17 位'],
    ['1234 5678 9012 345O', '查询码只包含数字，请检查是否输错'],
    ['1234-5678-9012-345x', '查询码只包含数字，请检查是否输错'],
  ])('refuses %j: %s', (text, message) => {
    expect(parseReceiptInput(text)).toEqual({ ok: false, message })
  })
})
