/**
 * Browser (H5): props for a Taro Input or Textarea. No length cap (a long entry is refused by the
 * step's validation with a message, never cut silently; Taro's own default cap is 140), the
 * field's label as the box's accessible name, the invalid state, and a keyboard hint
 * (`inputmode`) for numbers: the box stays a text box, so "不清楚", "+86" and spaces fit.
 */
export type Keyboard = 'text' | 'decimal' | 'numeric' | 'tel'

export function inputProps(label: string, options: { keyboard?: Keyboard; invalid?: boolean } = {}) {
  const { keyboard = 'text', invalid = false } = options
  return {
    maxlength: -1,
    nativeProps: {
      'aria-label': label,
      'aria-invalid': invalid ? 'true' : 'false',
      ...(keyboard === 'text' ? {} : { inputMode: keyboard }),
    },
  }
}
