/**
 * Writing to the bureau from the case page: 回复 (text) and 补充材料 (files, with the report's
 * picker, labels, limits and messages), both kept as a message draft on every change, then handed
 * to the outbox (saved before any network call; sent, resumed and retried from there, exactly once
 * by its msgId). Works offline: the outbox sends it when the network is back.
 */
import Taro from '@tarojs/taro'
import { useCallback, useEffect, useRef, useState } from 'react'
import { MAX_MESSAGE_TEXT } from '@/case/labels'
import { textLength } from '@/case/plaintext'
import { createMessageDraft, deleteMessageDraft, loadMessageDraft, releaseMessageDraft, saveMessageDraft, storeMessageFiles, type MessageDraft } from '@/cases/drafts'
import type { AttachmentLabel, DraftAttachment } from '@/domain/types'
import { queueMessage } from '@/outbox/message/actions'
import type { PickedFile } from '@/platform/files.types'
import { useAttachmentPicker } from './useAttachmentPicker'

export const TEXT_TOO_LONG = `消息最多 ${MAX_MESSAGE_TEXT} 个字，请删减后再发送。`
export const NOTHING_TO_SEND = '请填写回复内容或添加材料后再发送。'

export interface CaseMessageOptions {
  caseId: string
  auth: string
  /** msgId of the latest message on the page (the message's inReplyTo). */
  inReplyTo: string | null
}

export function useCaseMessage({ caseId, auth, inReplyTo }: CaseMessageOptions) {
  const [draft, setDraft] = useState<MessageDraft | undefined>(() => loadMessageDraft(caseId))
  const [error, setError] = useState<string | undefined>()
  const [sending, setSending] = useState(false)
  const current = useRef(draft)
  current.current = draft

  useEffect(() => {
    setDraft(loadMessageDraft(caseId))
  }, [caseId])

  /** The draft, made on first use: nothing is stored for a resident who only reads. */
  const making = useRef<Promise<MessageDraft> | undefined>(undefined)
  const ensure = useCallback(async (): Promise<MessageDraft> => {
    if (current.current) return current.current
    // Fast typing must not make two drafts: every call waits for the one being made.
    making.current ??= createMessageDraft(caseId).then((made) => {
      current.current = made
      setDraft(made)
      making.current = undefined
      return made
    })
    await making.current
    return current.current!
  }, [caseId])

  const save = useCallback((next: MessageDraft) => {
    const stamped = { ...next, updatedAt: new Date().toISOString() }
    saveMessageDraft(stamped)
    current.current = stamped
    setDraft(stamped)
  }, [])

  const setText = useCallback(
    async (text: string) => {
      const d = await ensure()
      save({ ...d, text })
      setError(textLength(text) > MAX_MESSAGE_TEXT ? TEXT_TOO_LONG : undefined)
    },
    [ensure, save],
  )

  const store = useCallback(async (picked: PickedFile[], label: AttachmentLabel) => storeMessageFiles(await ensure(), picked, label), [ensure])
  const onAdded = useCallback(
    (added: DraftAttachment[]) => {
      const d = current.current!
      save({ ...d, attachments: [...d.attachments, ...added] })
      setError(undefined)
    },
    [save],
  )
  const onRemoved = useCallback((a: DraftAttachment) => {
    const d = current.current
    if (d) save({ ...d, attachments: d.attachments.filter((x) => x.id !== a.id) })
  }, [save])
  const onLabel = useCallback((a: DraftAttachment, label: AttachmentLabel) => {
    const d = current.current
    if (d) save({ ...d, attachments: d.attachments.map((x) => (x.id === a.id ? { ...x, label } : x)) })
  }, [save])

  const attachments = draft?.attachments ?? []
  const picker = useAttachmentPicker({ attachments, store, onAdded, onRemoved, onLabel })

  /** 发送: the draft becomes an outbox job (saved first), then the draft record goes. */
  const send = useCallback(async (): Promise<boolean> => {
    const d = current.current
    if (sending) return false
    const text = d?.text.trim() ?? ''
    if (!d || (text === '' && d.attachments.length === 0)) {
      setError(NOTHING_TO_SEND)
      return false
    }
    if (textLength(d.text) > MAX_MESSAGE_TEXT) {
      setError(TEXT_TOO_LONG)
      return false
    }
    setSending(true)
    try {
      await queueMessage({
        draftId: d.id,
        caseId,
        auth,
        text: d.text,
        inReplyTo,
        sources: d.attachments.map((a) => ({ label: a.label, name: a.name, mime: a.mime, kind: a.kind ?? 'unknown', size: a.size, ref: a.ref })),
      })
      releaseMessageDraft(caseId)
      current.current = undefined
      setDraft(undefined)
      setError(undefined)
      Taro.showToast({ title: '已保存，正在发送', icon: 'none' })
      return true
    } finally {
      setSending(false)
    }
  }, [sending, caseId, auth, inReplyTo])

  /** 删除草稿, after a confirmation. */
  const discard = useCallback(async () => {
    const d = current.current
    if (!d) return
    const { confirm } = await Taro.showModal({ title: '删除这条未发送的消息？', content: '填写的内容和添加的材料都会从手机上删除。', confirmText: '删除', confirmColor: '#c62828' })
    if (!confirm) return
    await deleteMessageDraft(d)
    current.current = undefined
    setDraft(undefined)
    setError(undefined)
  }, [])

  return { text: draft?.text ?? '', attachments, setText, picker, send, sending, discard, error, hasDraft: !!draft, length: textLength(draft?.text ?? '') }
}
