/** The time-left estimate of a sending stage, and how it is worded for residents. */
import { formatRemaining, MIN_SAMPLES, MIN_SPAN_MS, RateEstimator } from '@/outbox/eta'

test('no estimate until a few pieces over some time are seen, then the recent rate', () => {
  const e = new RateEstimator()
  e.add(0, 0)
  e.add(500, 1_000_000)
  expect(e.remainingMs(10_000_000)).toBeUndefined() // two samples
  e.add(1000, 2_000_000)
  expect(MIN_SAMPLES).toBe(3)
  expect(e.remainingMs(10_000_000)).toBeUndefined() // 1 s span < MIN_SPAN_MS
  e.add(MIN_SPAN_MS, 3_000_000)
  // 3 MB in 1.5 s = 2 MB/s; 7 MB left → 3.5 s.
  expect(e.remainingMs(10_000_000)).toBeCloseTo(3500, 0)
})

test('a restart (progress going back) forgets the old samples', () => {
  const e = new RateEstimator()
  for (let t = 0; t <= 3000; t += 1000) e.add(t, t * 1000)
  expect(e.remainingMs(10_000_000)).toBeDefined()
  e.add(4000, 0)
  expect(e.remainingMs(10_000_000)).toBeUndefined()
})

test('follows the recent rate when the link slows down', () => {
  const e = new RateEstimator()
  for (let t = 0; t <= 10_000; t += 1000) e.add(t, t * 1000) // 1 MB/s
  for (let t = 11_000; t <= 80_000; t += 1000) e.add(t, 10_000_000 + (t - 10_000) * 100) // then 100 KB/s
  const left = e.remainingMs(20_000_000)!
  // 17 MB done, 3 MB left at 100 KB/s: 30 s, not the 3 s the early rate would say.
  expect(left).toBeGreaterThan(25_000)
  expect(left).toBeLessThan(35_000)
})

test.each([
  [3_000, '不到 10 秒'],
  [12_000, '约 20 秒'],
  [59_000, '约 60 秒'],
  [61_000, '约 2 分钟'],
  [150_000, '约 3 分钟'],
  [3_900_000, '约 1 小时 5 分钟'],
])('%i ms reads "%s"', (ms, text) => {
  expect(formatRemaining(ms)).toBe(text)
})
