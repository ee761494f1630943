import { files } from '@/platform/files'
import { allAppKeys, removeRaw } from '@/platform/storage'

/** Removes every draft, attachment copy and queued report this app keeps on the phone. */
export async function wipeAllLocalData(): Promise<void> {
  for (const key of allAppKeys()) removeRaw(key)
  for (const key of await files.listFiles()) await files.removeFile(key)
}
