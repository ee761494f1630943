import { Button, Image, Text, View } from '@tarojs/components'
import { LinkButton } from '@/components/LinkButton'
import Taro from '@tarojs/taro'
import { useEffect, useState } from 'react'
import { findCategory } from '@/domain/categories'
import { LIMITS } from '@/domain/draft-model'
import { EVIDENCE_HINT } from '@/domain/requirements'
import type { AttachmentLabel, DraftAttachment } from '@/domain/types'
import { Field, FieldError } from '@/components/Field'
import { fieldDomId } from '@/components/field-id'
import { formatBytes } from '@/domain/format'
import { Hint } from '@/components/Hint'
import { MissingDraft } from '@/components/MissingDraft'
import { PrivacyDialog } from '@/components/PrivacyDialog'
import { StepLayout } from '@/components/StepLayout'
import { removeAttachmentFile, storeAttachments } from '@/drafts/store'
import { useStep } from '@/hooks/useStep'
import { files } from '@/platform/files'
import type { PickedFile } from '@/platform/files.types'
import { isImageMime } from '@/platform/mime'
import { pickRecords, pickScreenshots } from '@/platform/pick'
import { previewFile } from '@/platform/preview'
import { privacyDeclined } from '@/services/privacy-requests'

const LABELS: AttachmentLabel[] = ['截图', '交易记录', '其他']

export default function EvidenceStep() {
  const { draft, missing, update, flush, errors, next, back, from } = useStep('evidence')
  const [urls, setUrls] = useState<Record<string, string>>({})
  const [busy, setBusy] = useState(false)
  const [declined, setDeclined] = useState(privacyDeclined())

  const attachments = draft?.attachments ?? []
  useEffect(() => {
    let cancelled = false
    // `in`, not truthiness: a lost file answers '' and must not be asked for again on every render.
    const wanted = attachments.filter((a) => isImageMime(a.mime) && !(a.id in urls))
    if (wanted.length === 0) return
    Promise.all(wanted.map(async (a) => [a.id, await files.displayUrl(a.ref, a.mime)] as const)).then((pairs) => {
      if (!cancelled) setUrls((u) => ({ ...u, ...Object.fromEntries(pairs) }))
    })
    return () => {
      cancelled = true
    }
  }, [attachments, urls])

  if (missing) return <MissingDraft />
  if (!draft) return null
  const category = draft.category ? findCategory(draft.category) : undefined
  const total = attachments.reduce((n, a) => n + a.size, 0)

  const add = async (pick: (max: number) => Promise<PickedFile[]>, label: AttachmentLabel) => {
    if (busy) return
    const room = LIMITS.maxFiles - attachments.length
    if (room <= 0) {
      await Taro.showModal({ title: '无法继续添加', content: `最多只能添加 ${LIMITS.maxFiles} 个文件，请先删除不需要的文件。`, showCancel: false })
      return
    }
    setBusy(true)
    try {
      const picked = await pick(room)
      if (picked.length === 0) return
      const { added, refused, notes } = await storeAttachments(draft, picked, label)
      if (added.length > 0) update((d) => ({ attachments: [...d.attachments, ...added] }))
      if (refused.length > 0 || notes.length > 0) {
        await Taro.showModal({
          title: refused.length > 0 ? (added.length > 0 ? '部分文件未添加' : '文件未添加') : `已添加 ${added.length} 个文件`,
          content: [...refused, ...notes].join('\n'),
          showCancel: false,
        })
      } else {
        // With an icon WeChat shows at most 7 characters of a toast; this text is longer.
        Taro.showToast({ title: `已添加 ${added.length} 个文件`, icon: 'none' })
      }
    } catch (err) {
      const text = String((err as { errMsg?: string })?.errMsg ?? err)
      if (/privacy|auth|deny|拒绝/i.test(text)) setDeclined(true)
      else Taro.showToast({ title: '无法读取所选文件，请重试', icon: 'none' })
    } finally {
      setBusy(false)
    }
  }

  const remove = async (a: DraftAttachment) => {
    const { confirm } = await Taro.showModal({ title: '删除这个文件？', content: a.name, confirmText: '删除', confirmColor: '#c62828' })
    if (!confirm) return
    update((d) => ({ attachments: d.attachments.filter((x) => x.id !== a.id) }))
    // Save first: a crash between the two must never leave the draft pointing at a deleted file.
    flush()
    await removeAttachmentFile(a)
  }

  const setLabel = (a: DraftAttachment, label: AttachmentLabel) =>
    update((d) => ({ attachments: d.attachments.map((x) => (x.id === a.id ? { ...x, label } : x)) }))

  const preview = async (a: DraftAttachment) => previewFile(urls[a.id] ?? (await files.displayUrl(a.ref, a.mime)), a.mime)

  return (
    <StepLayout step="evidence" errorCount={Object.keys(errors).length} onNext={next} onBack={back} returning={!!from}>
      <Hint title="需要哪些材料" text={EVIDENCE_HINT} />
      {category ? <Hint title={`${category.name}：最有用的证据`} text={category.evidenceGuidance} /> : null}
      {declined ? (
        <Hint tone="warn" text="您没有同意读取照片和文件，暂时无法添加材料。您仍然可以继续，只提交文字描述和链接；以后可在本页再次添加。" />
      ) : null}

      <Field name="attachments" label="证明材料" error={errors.attachments} hint={`最多 ${LIMITS.maxFiles} 个文件，单个不超过 ${LIMITS.maxFileBytes / 1024 / 1024} MB，合计不超过 ${LIMITS.maxTotalBytes / 1024 / 1024} MB。没有材料也可以继续。`}>
        <View className="row row--wrap">
          <Button className={`btn btn--secondary${busy ? ' btn--disabled' : ''}`} onClick={() => add(pickScreenshots, '截图')} data-testid="add-screenshots">
            {busy ? '正在保存…' : '添加截图（相册 / 拍照）'}
          </Button>
          <Button className={`btn btn--secondary${busy ? ' btn--disabled' : ''}`} onClick={() => add(pickRecords, '交易记录')} data-testid="add-records">
            {busy ? '正在保存…' : '添加交易记录（文件）'}
          </Button>
        </View>
        <Text className="counter" data-testid="attachment-summary">
          已添加 {attachments.length} / {LIMITS.maxFiles} 个，合计 {formatBytes(total)}
        </Text>
        {attachments.map((a, i) => (
          <View key={a.id} className="attachment" data-testid="attachment" id={fieldDomId(`attachments.${i}`)} data-field={`attachments.${i}`}>
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
                {LABELS.map((l) => (
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
              <FieldError name={`attachments.${i}`} error={errors[`attachments.${i}`]} />
            </View>
          </View>
        ))}
      </Field>
      <PrivacyDialog />
    </StepLayout>
  )
}
