import { Input, Text, View } from '@tarojs/components'
import { useState } from 'react'
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
  return (
    <View>
      <Input
        className={`input${invalid ? ' input--error' : ''}`}
        type="text"
        {...inputProps(label, { keyboard, invalid })}
        value={value}
        placeholder={placeholder}
        onInput={(e) => {
          setNote(undefined)
          onChange(e.detail.value)
        }}
        onBlur={(e) => {
          const typed = String(e.detail.value ?? value)
          const tidied = tidy(typed)
          if (tidied === typed) return
          onChange(tidied)
          setNote(`已把您填写的“${typed}”整理为“${tidied}”，请核对。`)
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
