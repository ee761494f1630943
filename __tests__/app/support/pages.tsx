/** Rendering a page of the flow in jsdom the way Taro opens it: router params, stored draft. */
import { fireEvent, render, screen } from '@testing-library/react'
import type { ComponentType } from 'react'
import Taro, { __reset, __setRouterParams } from '../../mocks/taro'
import type { DraftReport } from '@/domain/types'
import { saveDraft } from '@/drafts/store'
import { memoryFiles } from './memory-files'

export function resetApp(): void {
  __reset()
  memoryFiles.clear()
}

export function renderPage(Page: ComponentType, options: { draft?: DraftReport; params?: Record<string, string> } = {}) {
  if (options.draft) saveDraft(options.draft)
  __setRouterParams({ ...(options.draft ? { id: options.draft.id } : {}), ...options.params })
  return render(<Page />)
}

/** The message shown at a field (Field renders it with data-error-for), or null. */
export function errorAt(field: string): string | null {
  return document.querySelector(`[data-error-for="${field}"]`)?.textContent ?? null
}

export function fieldsWithErrors(): string[] {
  return Array.from(document.querySelectorAll('[data-error-for]')).map((e) => e.getAttribute('data-error-for')!)
}

export function clickNext(): void {
  fireEvent.click(screen.getByTestId('next'))
}

/** Types into an Input/Textarea (the components mock turns change into Taro's onInput). */
export function type(testId: string, value: string): void {
  fireEvent.change(screen.getByTestId(testId), { target: { value } })
}

export function redirects(): string[] {
  return (Taro.redirectTo as jest.Mock).mock.calls.map((call) => (call[0] as { url: string }).url)
}

export function navigations(): string[] {
  return (Taro.navigateTo as jest.Mock).mock.calls.map((call) => (call[0] as { url: string }).url)
}

/** Every page opened, on top (navigateTo) or in place (redirectTo), in call order. */
export function opened(): string[] {
  const calls = [
    ...(Taro.navigateTo as jest.Mock).mock.calls.map((call, i) => [(Taro.navigateTo as jest.Mock).mock.invocationCallOrder[i], call]),
    ...(Taro.redirectTo as jest.Mock).mock.calls.map((call, i) => [(Taro.redirectTo as jest.Mock).mock.invocationCallOrder[i], call]),
  ] as [number, [{ url: string }]][]
  return calls.sort((a, b) => a[0] - b[0]).map(([, call]) => call[0].url)
}
