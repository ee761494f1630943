import { Button, Image, Text, View } from '@tarojs/components'
import { ATTACHMENT_LABELS } from '@/attachments/store'
import { LIMITS } from '@/domain/draft-model'
import { formatBytes } from '@/domain/format'
import { isImageMime } from '@/platform/mime'
import type { useAttachmentPicker } from '@/hooks/useAttachmentPicker'
import type { DraftAttachment } from '@/domain/types'
import { Field, FieldError } from './Field'
import { fieldDomId } from './field-id'
import { Hint } from './Hint'
import { LinkButton } from './LinkButton'

interface AttachmentPickerProps {
  /** Field name (errors are looked up as `${name}.${i}` per file). */
  name: string
  label: string
  attachments: readonly DraftAttachment[]
  picker: ReturnType<typeof useAttachmentPicker>
  errors?: Record<string, string>
  /** What follows the limits in the hint ("没有材料也可以继续。"). */
  hintTail?: string
  /** What the resident can still do after refusing access to photos and files. */
  declinedText: string
}

/**
 * The evidence picker: two add buttons, the count and total, and each file with its thumbnail,
 * label chips, preview and delete. Shared by the report's evidence step and the case page.
 */
export function AttachmentPicker({ name, label, attachments, picker, errors = {}, hintTail = '', declinedText }: AttachmentPickerProps) {
  const { urls, busy, declined, add, remove, preview, setLabel } = picker
  const total = attachments.reduce((n, a) => n + a.size, 0)
  const limits = `最多 ${LIMITS.maxFiles} 个文件，单个不超过 ${LIMITS.maxFileBytes / 1024 / 1024} MB，合计不超过 ${LIMITS.maxTotalBytes / 1024 / 1024} MB。`
  return (
    <>
      {declined ? (
        <Hint tone="warn" text={`您没有同意读取照片和文件，暂时无法添加材料。${declinedText}`} />
      ) : null}
      <Field name={name} label={label} error={errors[name]} hint={`${limits}${hintTail}`}>
        <View className="row row--wrap">
          <Button className={`btn btn--secondary${busy ? ' btn--disabled' : ''}`} onClick={() => add('screenshots')} data-testid="add-screenshots">
            {busy ? '正在保存…' : '添加截图（相册 / 拍照）'}
          </Button>
          <Button className={`btn btn--secondary${busy ? ' btn--disabled' : ''}`} onClick={() => add('records')} data-testid="add-records">
            {busy ? '正在保存…' : '添加交易记录（文件）'}
          </Button>
        </View>
        <Text className="counter" data-testid="attachment-summary">
          已添加 {attachments.length} / {LIMITS.maxFiles} 个，合计 {formatBytes(total)}
        </Text>
        {attachments.map((a, i) => (
          <View key={a.id} className="attachment" data-testid="attachment" id={fieldDomId(`${name}.${i}`)} data-field={`${name}.${i}`}>
            {isImageMime(a.mime) && urls[a.id] ? (
              <Image className="attachment__thumb" src={urls[a.id]} mode="aspectFill" onClick={() => preview(a)} nativeProps={{ alt: `预览 ${a.name}` }} />
            ) : (
              <View className="attachment__icon" onClick={() => preview(a)} aria-hidden="true">
                {a.name.split('.').pop()?.toUpperCase() ?? '文件'}
              </View>
            )}
            <View className="attachment__body">
              <Text className="attachment__name">{a.name}</Text>
              <Text className="attachment__size">{formatBytes(a.size)}</Text>
              <View className="chips" role="radiogroup" aria-label={`“${a.name}”的类别`}>
                {ATTACHMENT_LABELS.map((l) => (
                  <LinkButton key={l} className={`chip${a.label === l ? ' chip--on' : ''}`} role="radio" checked={a.label === l} onClick={() => setLabel(a, l)}>
                    {l}
                  </LinkButton>
                ))}
              </View>
              <View className="row">
                <LinkButton onClick={() => preview(a)}>预览</LinkButton>
                <LinkButton className="link link--danger" onClick={() => remove(a)}>
                  删除
                </LinkButton>
              </View>
              <FieldError name={`${name}.${i}`} error={errors[`${name}.${i}`]} />
            </View>
          </View>
        ))}
      </Field>
    </>
  )
}
