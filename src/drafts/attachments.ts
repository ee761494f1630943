/**
 * Adding evidence to a report draft: picked files copied into durable storage under the draft
 * (src/attachments/store.ts: the same limits, type checks and messages as every other picker).
 * A module of its own so that the home page's first load, which needs the draft store, does not
 * carry the file checks (npm run size).
 */
import { storePickedFiles, type AddResult } from '@/attachments/store'
import type { AttachmentLabel, DraftReport } from '@/domain/types'
import type { PickedFile } from '@/platform/files.types'
import { attachmentKey } from './store'

export type { AddResult }

export function storeAttachments(draft: DraftReport, picked: PickedFile[], label: AttachmentLabel): Promise<AddResult> {
  return storePickedFiles({ existing: draft.attachments, refOf: (id) => attachmentKey(draft.id, id) }, picked, label)
}
