/**
 * DOM stand-ins for @tarojs/components so pages can be rendered by React Testing Library in jsdom.
 * Event shapes follow Taro's (`e.detail.value`), which is what the pages read.
 */
import React from 'react'

type AnyProps = Record<string, any> & { children?: React.ReactNode }

function strip(props: AnyProps) {
  const { hoverClass, scrollY, scrollX, scrollIntoView, enableFlex, ...rest } = props
  void hoverClass; void scrollY; void scrollX; void scrollIntoView; void enableFlex
  return rest
}

export const View = ({ children, onClick, ...p }: AnyProps) => (
  <div {...strip(p)} onClick={onClick}>{children}</div>
)
export const ScrollView = View
export const Block = ({ children }: AnyProps) => <>{children}</>
export const Text = ({ children, selectable, userSelect, ...p }: AnyProps) => {
  void selectable; void userSelect
  return <span {...strip(p)}>{children}</span>
}
export const Image = ({ src, mode, lazyLoad, nativeProps, ...p }: AnyProps) => {
  void mode; void lazyLoad
  return <img src={src} {...strip(p)} {...nativeProps} />
}
/** Open-type events WeChat fires on a tap of a Button with that openType, after bindtap. */
const OPEN_TYPE_EVENTS: Record<string, string> = {
  agreePrivacyAuthorization: 'onAgreePrivacyAuthorization',
  getPhoneNumber: 'onGetPhoneNumber',
  openSetting: 'onOpenSetting',
  contact: 'onContact',
}

export const Button = ({ children, onClick, disabled, type, size, plain, loading, formType, openType, ...p }: AnyProps) => {
  void type; void size; void plain; void loading; void formType
  const rest: AnyProps = { ...p }
  const handlers: Record<string, ((e: unknown) => void) | undefined> = {}
  for (const name of Object.values(OPEN_TYPE_EVENTS)) {
    handlers[name] = rest[name]
    delete rest[name]
  }
  const openTypeHandler = openType ? handlers[OPEN_TYPE_EVENTS[openType]] : undefined
  return (
    <button
      {...strip(rest)}
      data-open-type={openType}
      disabled={disabled}
      onClick={(e) => {
        onClick?.(e)
        openTypeHandler?.({ detail: {} })
      }}
    >
      {children}
    </button>
  )
}
/** Taro's number types behave like a browser number box: it cannot hold "不清楚" or "+86". */
const inputType = (type: string | undefined, password: boolean) => (password ? 'password' : type === 'number' || type === 'digit' ? 'number' : 'text')
/** Taro's maxlength: -1 (or none) is no cap; WeChat and Taro cap at 140 when it is not given. */
const cap = (maxlength: number | undefined) => (maxlength === undefined ? 140 : maxlength < 0 ? undefined : maxlength)

export const Input = ({ value, onInput, onBlur, type, maxlength, placeholder, password, confirmType, nativeProps, ...p }: AnyProps) => {
  void confirmType
  return (
    <input
      {...strip(p)}
      {...nativeProps}
      data-taro-type={type}
      value={value ?? ''}
      type={inputType(type, !!password)}
      maxLength={cap(maxlength)}
      placeholder={placeholder}
      onChange={(e) => onInput?.({ detail: { value: e.target.value } })}
      onBlur={(e) => onBlur?.({ detail: { value: e.target.value } })}
    />
  )
}
export const Textarea = ({ value, onInput, onBlur, maxlength, placeholder, autoHeight, nativeProps, ...p }: AnyProps) => {
  void autoHeight
  return (
    <textarea
      {...strip(p)}
      {...nativeProps}
      value={value ?? ''}
      maxLength={cap(maxlength)}
      placeholder={placeholder}
      onChange={(e) => onInput?.({ detail: { value: e.target.value } })}
      onBlur={(e) => onBlur?.({ detail: { value: e.target.value } })}
    />
  )
}
export const Checkbox = ({ checked, value, ...p }: AnyProps) => (
  <input type="checkbox" readOnly checked={!!checked} value={value} {...strip(p)} />
)
export const CheckboxGroup = ({ children, onChange, ...p }: AnyProps) => (
  <div
    {...strip(p)}
    onClick={(e) => {
      const target = e.target as HTMLInputElement
      if (target.type !== 'checkbox') return
      const group = e.currentTarget as HTMLElement
      const boxes = Array.from(group.querySelectorAll('input[type=checkbox]')) as HTMLInputElement[]
      const values = boxes.filter((b) => (b === target ? !b.checked : b.checked)).map((b) => b.value)
      onChange?.({ detail: { value: values } })
    }}
  >
    {children}
  </div>
)
export const Label = ({ children, ...p }: AnyProps) => <label {...strip(p)}>{children}</label>
export const Radio = Checkbox
export const RadioGroup = ({ children, onChange, ...p }: AnyProps) => (
  <div
    {...strip(p)}
    onClick={(e) => {
      const target = e.target as HTMLInputElement
      if (target.type === 'checkbox') onChange?.({ detail: { value: target.value } })
    }}
  >
    {children}
  </div>
)
export const Switch = ({ checked, onChange, ...p }: AnyProps) => (
  <input type="checkbox" role="switch" checked={!!checked} onChange={(e) => onChange?.({ detail: { value: e.target.checked } })} {...strip(p)} />
)
export const Picker = ({ children, onChange, mode, range, value, start, end, ...p }: AnyProps) => {
  void range; void start; void end
  return (
    <div {...strip(p)} data-picker-mode={mode} data-picker-value={String(value ?? '')}>
      <input
        aria-label={p['aria-label'] ?? `picker-${mode}`}
        data-testid={p['data-testid'] ? `${p['data-testid']}-input` : undefined}
        value={value ?? ''}
        onChange={(e) => onChange?.({ detail: { value: e.target.value } })}
      />
      {children}
    </div>
  )
}
export const Progress = ({ percent, showInfo, strokeWidth, activeColor, backgroundColor, borderRadius, active, activeMode, ...p }: AnyProps) => {
  void showInfo; void strokeWidth; void activeColor; void backgroundColor; void borderRadius; void active; void activeMode
  return <progress value={percent} max={100} {...strip(p)} />
}
export const RichText = ({ nodes }: AnyProps) => <div>{typeof nodes === 'string' ? nodes : ''}</div>
