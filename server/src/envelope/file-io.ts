/** Small file helpers of the object-file decryptors: exact reads, complete writes, atomic output. */
import { open, rename, rm, stat } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { basename, dirname, join } from 'node:path'
import { EnvelopeError } from './errors'

export type FileHandle = Awaited<ReturnType<typeof open>>

export async function readExactly(file: FileHandle, position: number, length: number, into?: Buffer): Promise<Buffer> {
  const buffer = into ?? Buffer.alloc(length)
  let done = 0
  while (done < length) {
    const { bytesRead } = await file.read(buffer, done, length - done, position + done)
    if (bytesRead === 0) throw new EnvelopeError('TRUNCATED', 'the object file ended early (changed while reading?)')
    done += bytesRead
  }
  return buffer.subarray(0, length)
}

export async function writeAll(file: FileHandle, bytes: Buffer): Promise<void> {
  // write() may write less than asked; loop until all of it is on its way to disk.
  for (let done = 0; done < bytes.length; ) done += (await file.write(bytes, done, bytes.length - done)).bytesWritten
}

/**
 * Runs `produce` with a temporary file beside `outputPath` and renames it into place only when
 * `produce` succeeded (fsynced first). On any failure nothing is left. `outputPath` must not exist.
 */
export async function writeAtomically<T>(outputPath: string, produce: (out: FileHandle) => Promise<T>): Promise<T> {
  const existing = await stat(outputPath).catch(() => undefined)
  if (existing) throw new Error(`${outputPath} already exists`)
  const temporary = join(dirname(outputPath), `.${basename(outputPath)}.${randomBytes(6).toString('hex')}.partial`)
  const output = await open(temporary, 'wx', 0o600)
  let closed = false
  try {
    const result = await produce(output)
    await output.sync()
    await output.close()
    closed = true
    await rename(temporary, outputPath)
    return result
  } catch (error) {
    if (!closed) await output.close().catch(() => undefined)
    await rm(temporary, { force: true })
    throw error
  }
}
