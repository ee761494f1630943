/**
 * @jest-environment jsdom
 *
 * When the outbox retries: the exponential backoff schedule on a timer (fake timers), at once when
 * the network returns or the app comes back to the foreground, one runner at a time, and not while
 * another browser tab holds the sending lease.
 */
import Taro, { __reset } from '../mocks/taro'
import { memoryFiles } from '../app/support/memory-files'
import { completeDraft } from '../app/support/drafts'
import { saveDraft } from '@/drafts/store'
import { BACKOFF_MAX_MS, backoffCeiling, backoffDelay, jobView, loadJob, startOutbox, startSubmission } from '@/outbox'
import { secureRandom01 } from '@/outbox/backoff'
import { configureOutbox, idle, kick, resetOutboxForTests } from '@/outbox/runner'
import { readKey, writeKey } from '@/platform/storage'

jest.mock('@/platform/files', () => require('../app/support/memory-files'))

const mockRequest = Taro.request as unknown as jest.Mock

/** Paths of the requests made so far. */
const requested = () => mockRequest.mock.calls.map((c) => `${c[0].method} ${c[0].url}`)

function networkIsDown() {
  mockRequest.mockImplementation(() => Object.assign(Promise.reject({ errMsg: 'request:fail net::ERR_INTERNET_DISCONNECTED' }), { abort: jest.fn() }))
}

function setOnline(online: boolean) {
  Object.defineProperty(window.navigator, 'onLine', { configurable: true, get: () => online })
}

/**
 * Lets the runner finish what it can now. Encryption yields to the event loop between pieces
 * (the in-thread fallback runs here: jsdom has no Web Worker), and the fake clock schedules a
 * zero-delay timer made during a tick 1 ms later; so the clock moves a millisecond at a time
 * until the runner is idle.
 */
async function settle() {
  let done = false
  const finished = idle().then(() => {
    done = true
  })
  await jest.advanceTimersByTimeAsync(0)
  for (let i = 0; i < 1000 && !done; i++) await jest.advanceTimersByTimeAsync(1)
  await finished
}

beforeEach(() => {
  jest.useFakeTimers({ now: new Date('2024-05-20T08:00:00.000Z') })
  __reset()
  memoryFiles.clear()
  mockRequest.mockReset()
  networkIsDown()
  setOnline(true)
  resetOutboxForTests()
  configureOutbox({ random01: async () => 0.5 })
  saveDraft(completeDraft('t1'))
})

afterEach(async () => {
  resetOutboxForTests()
  await idle()
  jest.useRealTimers()
})

describe('backoff schedule', () => {
  it('doubles from 2 s up to 5 minutes', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 50].map(backoffCeiling)).toEqual([
      2000, 4000, 8000, 16000, 32000, 64000, 128000, 256000, 300000, 300000, 300000,
    ])
    expect(BACKOFF_MAX_MS).toBe(300000)
  })

  it('is jittered between half and all of the ceiling', () => {
    expect(backoffDelay(3, 0)).toBe(4000)
    expect(backoffDelay(3, 0.5)).toBe(6000)
    expect(backoffDelay(3, 0.999999)).toBe(8000)
    expect(backoffDelay(20, 0)).toBe(150000)
  })

  it('draws its jitter from the secure random source', async () => {
    jest.useRealTimers()
    const values = await Promise.all(Array.from({ length: 200 }, () => secureRandom01()))
    for (const v of values) {
      expect(v).toBeGreaterThanOrEqual(0)
      expect(v).toBeLessThan(1)
    }
    expect(new Set(values).size).toBe(200)
  })
})

describe('automatic retries', () => {
  it('retries on a timer with exponential backoff while the app is open', async () => {
    startOutbox()
    await settle()
    await startSubmission('t1')
    await settle()
    expect(requested()).toHaveLength(1)
    const delays = [1500, 3000, 6000, 12000, 24000]
    for (const [i, delay] of delays.entries()) {
      const job = loadJob('t1')!
      expect(job.attempt).toBe(i + 1)
      expect(Date.parse(job.retryAt!) - Date.now()).toBe(delay)
      await jest.advanceTimersByTimeAsync(delay - 1)
      await idle()
      expect(requested()).toHaveLength(i + 1)
      await jest.advanceTimersByTimeAsync(1)
      await idle()
      expect(requested()).toHaveLength(i + 2)
    }
    expect(jobView('t1')!.text).toBe('等待网络，恢复后会自动发送')
    // Every retry is the same create with the same key: nothing was re-encrypted.
    const bodies = mockRequest.mock.calls.map((c) => JSON.stringify(c[0].data))
    expect(new Set(bodies).size).toBe(1)
  })

  it('caps the wait at 5 minutes', async () => {
    startOutbox()
    await settle()
    await startSubmission('t1')
    await settle()
    const waits: number[] = []
    for (let i = 0; i < 12; i++) {
      const wait = Date.parse(loadJob('t1')!.retryAt!) - Date.now()
      waits.push(wait)
      await jest.advanceTimersByTimeAsync(wait)
      await idle()
    }
    // 0.75 of 2 s, 4 s, 8 s, … then of the 5-minute cap.
    expect(waits).toEqual([1500, 3000, 6000, 12000, 24000, 48000, 96000, 192000, 225000, 225000, 225000, 225000])
    expect(loadJob('t1')!.attempt).toBe(13)
  })

  it('when the phone is offline it does not even try, and sends as soon as the network returns', async () => {
    setOnline(false)
    startOutbox()
    await startSubmission('t1')
    await settle()
    // Encryption needs no network: the report is encrypted and waits.
    expect(loadJob('t1')!.phase).toBe('encrypted')
    const before = requested().length
    await kick('show')
    expect(requested()).toHaveLength(before)
    expect(jobView('t1')!.text).toBe('等待网络，恢复后会自动发送')

    setOnline(true)
    mockRequest.mockReset()
    mockRequest.mockImplementation(() => Object.assign(new Promise(() => undefined), { abort: jest.fn() }))
    window.dispatchEvent(new Event('online'))
    await jest.advanceTimersByTimeAsync(0)
    expect(requested()).toEqual(['POST /api/v1/submissions'])
    // The request never answers: it times out on its own, and the job waits again.
    await jest.advanceTimersByTimeAsync(70000)
    await idle()
    expect(loadJob('t1')!.lastError?.kind).toBe('timeout')
  })

  it('retries at once when the app comes back to the foreground, before the backoff is over', async () => {
    startOutbox()
    await startSubmission('t1')
    await settle()
    for (let i = 0; i < 4; i++) {
      await jest.advanceTimersByTimeAsync(BACKOFF_MAX_MS)
      await idle()
    }
    const count = requested().length
    expect(Date.parse(loadJob('t1')!.retryAt!) - Date.now()).toBeGreaterThan(10000)
    document.dispatchEvent(new Event('visibilitychange'))
    await settle()
    expect(requested()).toHaveLength(count + 1)
  })

  it('runs one runner at a time however often it is kicked', async () => {
    let inFlight = 0
    let maxInFlight = 0
    mockRequest.mockImplementation(() => {
      inFlight += 1
      maxInFlight = Math.max(maxInFlight, inFlight)
      return Object.assign(
        new Promise((_, reject) =>
          setTimeout(() => {
            inFlight -= 1
            reject({ errMsg: 'request:fail' })
          }, 100),
        ),
        { abort: jest.fn() },
      )
    })
    await startSubmission('t1')
    const kicks = [kick('user'), kick('online'), kick('show'), kick('user')]
    await jest.advanceTimersByTimeAsync(1000)
    await Promise.all(kicks)
    await idle()
    expect(maxInFlight).toBe(1)
    // The first run, then one more for all the kicks that came during it.
    expect(requested()).toHaveLength(2)
  })

  it('leaves the sending to another browser tab that holds the lease, and takes over when it lapses', async () => {
    writeKey('outbox/lock', { owner: 'other-tab', until: Date.now() + 30000 })
    startOutbox()
    await startSubmission('t1')
    await settle()
    expect(requested()).toEqual([])
    expect(loadJob('t1')!.phase).toBe('encrypting')
    await jest.advanceTimersByTimeAsync(29000)
    expect(requested()).toEqual([])
    await jest.advanceTimersByTimeAsync(1100)
    // Encrypting (the case KDF and the objects, in-thread here) yields between slices: move the clock on.
    for (let i = 0; i < 20000 && requested().length === 0; i++) await jest.advanceTimersByTimeAsync(1)
    expect(requested()).toEqual(['POST /api/v1/submissions'])
  })

  it('a page that unloads mid-send gives up its lease, so the reloaded page resumes at once', async () => {
    mockRequest.mockImplementation(() => Object.assign(new Promise(() => undefined), { abort: jest.fn() }))
    startOutbox()
    await settle()
    await startSubmission('t1')
    // Encryption (the case KDF and the objects, in-thread here) yields between slices: move the clock until the create goes out.
    for (let i = 0; i < 20000 && requested().length === 0; i++) await jest.advanceTimersByTimeAsync(1)
    expect(requested()).toEqual(['POST /api/v1/submissions'])
    expect(readKey('outbox/lock')).toBeDefined()
    window.dispatchEvent(new Event('pagehide'))
    expect(readKey('outbox/lock')).toBeUndefined()
    // Let the hanging request time out so that the run ends.
    resetOutboxForTests()
    await jest.advanceTimersByTimeAsync(70000)
    await idle()
  })
})
