/** @jest-environment jsdom */
/** Browser (H5) file picking and leave-app signal (src/platform/pick.ts, lifecycle.ts). */
import { onLeaveApp } from '@/platform/lifecycle'
import { pickRecords, pickScreenshots } from '@/platform/pick'

function pickerInput(): HTMLInputElement {
  const input = document.querySelector<HTMLInputElement>('[data-testid="file-picker"]')
  if (!input) throw new Error('no file picker in the document')
  return input
}

function choose(input: HTMLInputElement, chosen: File[]) {
  Object.defineProperty(input, 'files', { value: chosen, configurable: true })
  input.dispatchEvent(new Event('change'))
}

describe('H5 pick', () => {
  it('screenshots: an image-only picker; the chosen files come back as Blobs, up to max', async () => {
    const click = jest.spyOn(HTMLInputElement.prototype, 'click').mockImplementation(() => undefined)
    const pending = pickScreenshots(2)
    const input = pickerInput()
    expect(input.accept).toBe('image/*')
    expect(input.multiple).toBe(true)
    expect(click).toHaveBeenCalled()
    const a = new File(['abc'], 'a.png', { type: 'image/png' })
    const b = new File(['defg'], 'b.jpg', { type: '' })
    const c = new File(['h'], 'c.png', { type: 'image/png' })
    choose(input, [a, b, c])
    const picked = await pending
    expect(picked.map(({ name, size, mime }) => ({ name, size, mime }))).toEqual([
      { name: 'a.png', size: 3, mime: 'image/png' },
      { name: 'b.jpg', size: 4, mime: 'image/jpeg' },
    ])
    expect(picked[0].source).toBe(a)
    expect(document.querySelector('[data-testid="file-picker"]')).toBeNull()
    click.mockRestore()
  })

  it('records: accepts images and the record extensions; one at a time when max is 1', async () => {
    const click = jest.spyOn(HTMLInputElement.prototype, 'click').mockImplementation(() => undefined)
    const pending = pickRecords(1)
    const input = pickerInput()
    expect(input.accept).toBe('image/*,.pdf,.xls,.xlsx,.csv,.jpg,.jpeg,.png,.gif,.webp,.heic,.bmp')
    expect(input.multiple).toBe(false)
    input.dispatchEvent(new Event('cancel'))
    expect(await pending).toEqual([])
    expect(document.querySelector('[data-testid="file-picker"]')).toBeNull()
    click.mockRestore()
  })
})

describe('H5 onLeaveApp', () => {
  it('fires on pagehide and when the tab is hidden, until stopped', () => {
    const callback = jest.fn()
    const stop = onLeaveApp(callback)
    window.dispatchEvent(new Event('pagehide'))
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true })
    document.dispatchEvent(new Event('visibilitychange'))
    Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true })
    document.dispatchEvent(new Event('visibilitychange'))
    expect(callback).toHaveBeenCalledTimes(2)
    stop()
    window.dispatchEvent(new Event('pagehide'))
    expect(callback).toHaveBeenCalledTimes(2)
  })
})
