import { Text, View } from '@tarojs/components'
import type { PropsWithChildren } from 'react'
import { fieldDomId } from './field-id'

interface FieldProps {
  label: string
  required?: boolean
  hint?: string
  error?: string
  /** Stable id so tests and error summaries can find the field. */
  name: string
}

/** A labelled form field with its hint and, when invalid, the message right under it. */
export function Field({ label, required, hint, error, name, children }: PropsWithChildren<FieldProps>) {
  return (
    <View className={`field${error ? ' field--error' : ''}`} id={fieldDomId(name)} data-field={name}>
      <View className="field__label">
        <Text>{label}</Text>
        {required ? <Text className="field__required">（必填）</Text> : <Text className="field__optional">（选填）</Text>}
      </View>
      {hint ? <Text className="field__hint">{hint}</Text> : null}
      {children}
      <FieldError name={name} error={error} />
    </View>
  )
}

/** The message for one field (or one row of a list field), drawn right under its box. */
export function FieldError({ name, error }: { name: string; error?: string }) {
  if (!error) return null
  return (
    <Text className="field__error" data-error-for={name}>
      {error}
    </Text>
  )
}
