/**
 * Seals one object into a fresh local file for the outbox (a report's objects and a case message's
 * alike): the plaintext read through `read`, cancellable between chunks, and the file's size checked
 * against what was sealed (a full phone storage shows here, not later at the server).
 */
import type { FileSealer, SealOutcome } from '@/crypto-worker/sealer'
import { files } from '@/platform/files'
import { randomBytes } from '@/platform/random'
import type { Cancellation } from '@/services/request'
import { LocalJobError } from './errors'

export interface SealToFile {
  label: string
  target: string
  size: number
  read: (offset: number, length: number) => Promise<Uint8Array>
  cancel: Cancellation
  onProgress?: (done: number) => void
  /** Shown when the file came out short (what was being saved, in the user's words). */
  lost: string
}

export async function sealToFile(sealer: FileSealer, { label, target, size, read, cancel, onProgress, lost }: SealToFile): Promise<SealOutcome> {
  await files.removeFile(target)
  const outcome = await sealer.seal({
    label,
    size,
    nonce: () => randomBytes(16),
    reset: () => files.removeFile(target),
    read: (offset, length) => {
      cancel.throwIfCancelled()
      return read(offset, length)
    },
    write: (bytes) => files.appendFile(target, bytes),
    onProgress,
    check: () => cancel.throwIfCancelled(),
  })
  if ((await files.fileSize(target)) !== outcome.size) throw new LocalJobError(`手机存储空间可能不足，${lost}没有完整保存。请清理空间后重试。`)
  return outcome
}
