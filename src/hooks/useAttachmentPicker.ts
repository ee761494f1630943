/**
 * Adding evidence files, as the report's evidence step and the case page's 补充材料 both do it:
 * the picker, the count limit, the copy into storage (src/attachments/store.ts), the Chinese
 * messages for refused files, the privacy refusal, thumbnails, preview and delete with a
 * confirmation. The caller owns the list (a report draft or a case message draft).
 */
import Taro from '@tarojs/taro'
import { useCallback, useEffect, useRef, useState } from 'react'
import type { AddResult } from '@/attachments/store'
import { LIMITS } from '@/domain/draft-model'
import type { AttachmentLabel, DraftAttachment } from '@/domain/types'
import { files } from '@/platform/files'
import type { PickedFile } from '@/platform/files.types'
import { isImageMime } from '@/platform/mime'
import { pickRecords, pickScreenshots } from '@/platform/pick'
import { previewFile } from '@/platform/preview'
import { privacyDeclined } from '@/services/privacy-requests'

export interface AttachmentPickerOptions {
  attachments: readonly DraftAttachment[]
  /** Copies the picked files into storage (storeAttachments or the case draft's equivalent). */
  store: (picked: PickedFile[], label: AttachmentLabel) => Promise<AddResult>
  /** Adds what was stored to the list. */
  onAdded: (added: DraftAttachment[]) => void
  /** Removes one from the list and saves the list, before its file is deleted. */
  onRemoved: (attachment: DraftAttachment) => void
  onLabel: (attachment: DraftAttachment, label: AttachmentLabel) => void
}

export type Picker = 'screenshots' | 'records'

const PICKERS: Record<Picker, { pick: (max: number) => Promise<PickedFile[]>; label: AttachmentLabel }> = {
  screenshots: { pick: (max) => pickScreenshots(max), label: '截图' },
  records: { pick: (max) => pickRecords(max), label: '交易记录' },
}

export function useAttachmentPicker({ attachments, store, onAdded, onRemoved, onLabel }: AttachmentPickerOptions) {
  const [urls, setUrls] = useState<Record<string, string>>({})
  const [busy, setBusy] = useState(false)
  const [declined, setDeclined] = useState(privacyDeclined())
  const busyRef = useRef(false)

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

  const add = useCallback(
    async (picker: Picker) => {
      if (busyRef.current) return
      const room = LIMITS.maxFiles - attachments.length
      if (room <= 0) {
        await Taro.showModal({ title: '无法继续添加', content: `最多只能添加 ${LIMITS.maxFiles} 个文件，请先删除不需要的文件。`, showCancel: false })
        return
      }
      busyRef.current = true
      setBusy(true)
      try {
        const picked = await PICKERS[picker].pick(room)
        if (picked.length === 0) return
        const { added, refused, notes } = await store(picked, PICKERS[picker].label)
        if (added.length > 0) onAdded(added)
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
        busyRef.current = false
        setBusy(false)
      }
    },
    [attachments, store, onAdded],
  )

  const remove = useCallback(
    async (a: DraftAttachment) => {
      const { confirm } = await Taro.showModal({ title: '删除这个文件？', content: a.name, confirmText: '删除', confirmColor: '#c62828' })
      if (!confirm) return
      // Saved first: a crash between the two must never leave the list pointing at a deleted file.
      onRemoved(a)
      await files.removeFile(a.ref)
    },
    [onRemoved],
  )

  const preview = useCallback(async (a: DraftAttachment) => previewFile(urls[a.id] ?? (await files.displayUrl(a.ref, a.mime)), a.mime), [urls])

  return { urls, busy, declined, add, remove, preview, setLabel: onLabel }
}
