/**
 * Which clamped texts are really cut: each clamped text (class `clamp`, data-key) has an invisible
 * full-height twin (class `clamp-probe`, same data-key, same width); a text is cut when its twin
 * is taller. Measured with Taro's selector query (the same on WeChat and H5) after each render
 * that changes `watch`, and when the window size or text size changes the layout.
 */
import Taro from '@tarojs/taro'
import { useCallback, useEffect, useState } from 'react'

interface Box {
  dataset?: Record<string, string>
  height?: number
}

function heights(boxes: Box[] | undefined): Map<string, number> {
  const out = new Map<string, number>()
  for (const b of boxes ?? []) {
    const key = b.dataset?.key
    // Taro H5 keeps hidden pages in the DOM: their boxes measure 0 and must not win.
    if (key && (b.height ?? 0) > (out.get(key) ?? 0)) out.set(key, b.height ?? 0)
  }
  return out
}

export function useOverflowing(watch: unknown): Record<string, boolean> {
  const [cut, setCut] = useState<Record<string, boolean>>({})
  const measure = useCallback(() => {
    Taro.createSelectorQuery()
      .selectAll('.clamp')
      .fields({ dataset: true, size: true })
      .selectAll('.clamp-probe')
      .fields({ dataset: true, size: true })
      .exec((res: [Box[], Box[]] | undefined) => {
        const shown = heights(res?.[0])
        const full = heights(res?.[1])
        const next: Record<string, boolean> = {}
        for (const [key, h] of full) next[key] = h > (shown.get(key) ?? h) + 1
        setCut((old) => (JSON.stringify(old) === JSON.stringify(next) ? old : next))
      })
  }, [])

  useEffect(() => {
    const timer = setTimeout(measure, 0)
    return () => clearTimeout(timer)
  }, [measure, watch])

  useEffect(() => {
    const onResize = () => measure()
    Taro.onWindowResize?.(onResize)
    return () => Taro.offWindowResize?.(onResize)
  }, [measure])

  return cut
}
