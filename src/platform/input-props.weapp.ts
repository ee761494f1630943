/**
 * WeChat: props for a Taro Input or Textarea. No length cap (maxlength -1; WeChat's default is
 * 140), and a text box for numbers too: WeChat's number and digit keyboards cannot type
 * "不清楚", "+" or spaces, and it has no keyboard hint for text boxes.
 */
export type Keyboard = 'text' | 'decimal' | 'numeric' | 'tel'

export function inputProps(label: string, options: { keyboard?: Keyboard; invalid?: boolean } = {}) {
  void label
  void options
  return { maxlength: -1 }
}
