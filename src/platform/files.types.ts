/** What both platform implementations of file storage provide (see files.ts / files.weapp.ts). */

/** A file the user picked: on WeChat a temporary path, in a browser a Blob. */
export type FileSource = string | Blob

export interface PickedFile {
  name: string
  size: number
  mime: string
  source: FileSource
}

export interface FileStore {
  /** Copies a picked file into durable app storage under `key`; answers its size. */
  storeFile(key: string, source: FileSource): Promise<number>
  /** Appends bytes to `key`, creating it when missing. Durable once the promise resolves. */
  appendFile(key: string, bytes: Uint8Array): Promise<void>
  readRange(key: string, offset: number, length: number): Promise<Uint8Array>
  /** Size in bytes, or undefined when there is no such file. */
  fileSize(key: string): Promise<number | undefined>
  removeFile(key: string): Promise<void>
  removeFilesWithPrefix(prefix: string): Promise<void>
  listFiles(): Promise<string[]>
  /** A URL an <Image> can show or a preview can open. */
  displayUrl(key: string, mime: string): Promise<string>
}
