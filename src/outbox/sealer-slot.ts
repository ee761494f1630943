/**
 * The one encryption worker's owner, between runs. A module of its own with only a type import, so
 * that the runner can close the worker without loading the crypto code (in H5 that code is a
 * separate chunk, fetched when a report is sent: load-sending.ts).
 */
import type { FileSealer } from '@/crypto-worker/sealer'

let sealer: FileSealer | undefined

/** The sealer in use, made by `make` the first time. */
export function fileSealer(make: () => FileSealer): FileSealer {
  if (!sealer) sealer = make()
  return sealer
}

/** Tests replace the worker factory (e.g. with a worker_threads stand-in for wx.createWorker). */
export function useFileSealer(next: FileSealer | undefined): void {
  sealer?.close()
  sealer = next
}

/** Stops the encryption worker: nothing is left to encrypt for now. */
export function closeEncryption(): void {
  sealer?.close()
}
