import { useCallback } from 'react'
import { AttachmentPicker } from '@/components/AttachmentPicker'
import { Hint } from '@/components/Hint'
import { MissingDraft } from '@/components/MissingDraft'
import { PrivacyDialog } from '@/components/PrivacyDialog'
import { StepLayout } from '@/components/StepLayout'
import { findCategory } from '@/domain/categories'
import { EVIDENCE_HINT } from '@/domain/requirements'
import type { AttachmentLabel, DraftAttachment } from '@/domain/types'
import { storeAttachments } from '@/drafts/attachments'
import { useAttachmentPicker } from '@/hooks/useAttachmentPicker'
import { useStep } from '@/hooks/useStep'
import type { PickedFile } from '@/platform/files.types'

export default function EvidenceStep() {
  const { draft, missing, update, flush, errors, next, back, from } = useStep('evidence')
  const picker = useAttachmentPicker({
    attachments: draft?.attachments ?? [],
    store: useCallback((picked: PickedFile[], label: AttachmentLabel) => storeAttachments(draft!, picked, label), [draft]),
    onAdded: useCallback((added: DraftAttachment[]) => update((d) => ({ attachments: [...d.attachments, ...added] })), [update]),
    onRemoved: useCallback(
      (a: DraftAttachment) => {
        update((d) => ({ attachments: d.attachments.filter((x) => x.id !== a.id) }))
        flush()
      },
      [update, flush],
    ),
    onLabel: useCallback((a: DraftAttachment, label: AttachmentLabel) => update((d) => ({ attachments: d.attachments.map((x) => (x.id === a.id ? { ...x, label } : x)) })), [update]),
  })

  if (missing) return <MissingDraft />
  if (!draft) return null
  const category = draft.category ? findCategory(draft.category) : undefined

  return (
    <StepLayout step="evidence" errorCount={Object.keys(errors).length} onNext={next} onBack={back} returning={!!from}>
      <Hint title="需要哪些材料" text={EVIDENCE_HINT} />
      {category ? <Hint title={`${category.name}：最有用的证据`} text={category.evidenceGuidance} /> : null}
      <AttachmentPicker
        name="attachments" label="证明材料" attachments={draft.attachments} picker={picker} errors={errors} hintTail="没有材料也可以继续。"
        declinedText="您仍然可以继续，只提交文字描述和链接；以后可在本页再次添加。"
      />
      <PrivacyDialog />
    </StepLayout>
  )
}
