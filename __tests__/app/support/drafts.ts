/** Draft fixtures and small helpers shared by the app-layer tests. */
import { emptyDraft } from '@/domain/draft-model'
import type { DraftAttachment, DraftReport } from '@/domain/types'

export const NOW = new Date('2024-05-20T08:00:00.000Z')

export function draftOf(id: string, overrides: Partial<DraftReport> = {}, now: Date = NOW): DraftReport {
  return { ...emptyDraft(id, now), ...overrides }
}

/** A draft every step accepts (category "other" has no required extra field). */
export function completeDraft(id: string, overrides: Partial<DraftReport> = {}): DraftReport {
  return draftOf(id, {
    category: 'other',
    happenedAt: '2024-01-05T10:30',
    description: '对方在某交友App上冒充客服，诱导我转账三次共计五千元，之后把我拉黑。',
    links: ['www.example.com/post/1'],
    branch: 'yd',
    declaration: { truthful: true, liability: true, declaredAt: '2024-05-20T08:00:00.000Z' },
    ...overrides,
  })
}

export function attachmentOf(draftId: string, n: number, overrides: Partial<DraftAttachment> = {}): DraftAttachment {
  const id = `a${n}`
  return { id, label: '截图', name: `shot${n}.png`, mime: 'image/png', size: 1024, ref: `att/${draftId}/${id}`, ...overrides }
}

export const MB = 1024 * 1024
