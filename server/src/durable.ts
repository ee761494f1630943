import fsp from 'node:fs/promises'

/** Makes a rename or a new file in `dir` durable: fsync the directory itself. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, 'r')
  try {
    await fh.sync()
  } finally {
    await fh.close()
  }
}
