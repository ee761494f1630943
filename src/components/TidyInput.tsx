import { Input, Text, View } from '@tarojs/components'
import { useEffect, useRef, useState } from 'react'

/**
 * The note waits this long: leaving the box by tapping something below it (填“不清楚”, 下一步)
 * must not move that thing between the press and the release.
 */
export const NOTE_DELAY_MS = 400
import { inputProps, type Keyboard } from '@/platform/input-props'

interface TidyInputProps {
  /** Accessible name: the field's label. */
  label: string
  value: string
  onChange: (value: string) => void
  /** What the box should hold once the resident leaves it (same string when nothing to tidy). */
  tidy: (value: string) => string
  keyboard: Keyboard
  placeholder?: string
  invalid?: boolean
  testId: string
}

/**
 * A one-line text box for numbers (amounts, phone numbers) with a numeric keyboard hint. It holds
 * whatever is typed ("不清楚", "+86 138…", full-width digits); when the resident leaves it, a
 * value written in another form is tidied (e.g. "２００００" → "20000") and the resident is told,
 * under the box, what was changed.
 */
export function TidyInput({ label, value, onChange, tidy, keyboard, placeholder, invalid, testId }: TidyInputProps) {
  const [note, setNote] = useState<string | undefined>()
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>()
  const later = (text: string | undefined) => {
    if (timer.current) clearTimeout(timer.current)
    timer.current = text === undefined ? undefined : setTimeout(() => setNote(text), NOTE_DELAY_MS)
    if (text === undefined) setNote(undefined)
  }
  useEffect(() => () => clearTimeout(timer.current), [])
  return (
    <View>
      <Input
        className={`input${invalid ? ' input--error' : ''}`}
        type="text"
        {...inputProps(label, { keyboard, invalid })}
        value={value}
        placeholder={placeholder}
        onInput={(e) => {
          later(undefined)
          onChange(e.detail.value)
        }}
        onBlur={(e) => {
          const typed = String(e.detail.value ?? value)
          const tidied = tidy(typed)
          if (tidied === typed) return
          onChange(tidied)
          later(`已把您填写的“${typed}”整理为“${tidied}”，请核对。`)
        }}
        data-testid={testId}
      />
      {note ? (
        <Text className="field__note" data-note-for={testId}>
          {note}
        </Text>
      ) : null}
    </View>
  )
}
