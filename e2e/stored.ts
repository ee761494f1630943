/** Reads what the server stored and decrypts it with the bureau's key (the development one unless given), as the bureau would. */
import type { Readable } from 'node:stream'
import type { BureauKeyPair } from '../server/src/envelope'
import { openStored } from './harness'

async function collect(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = []
  for await (const part of stream) parts.push(Buffer.from(part))
  return Buffer.concat(parts)
}

export interface OpenedSubmission {
  id: string
  /** The key the envelope was made for. */
  kid: string
  state: string
  status: string | null
  report: Record<string, any>
  attachments: Buffer[]
}

/** Every submission in the data directory, decrypted. */
export async function openAllSubmissions(dataDir: string, bureauKey?: BureauKeyPair): Promise<OpenedSubmission[]> {
  const { repository, blobs, key: devKey } = await openStored(dataDir)
  const key = bureauKey ?? devKey
  const { openObject } = await import('../server/src/envelope')
  try {
    const out: OpenedSubmission[] = []
    for (const s of await repository.listSubmissions({ limit: 1000 })) {
      const object = await repository.getReport(s.id)
      const report = JSON.parse(openObject({ header: s.header as never, privateKey: key, label: 'report', object: object! }).toString('utf8'))
      const attachments: Buffer[] = []
      if (s.state === 'accepted') {
        for (const a of s.attachments) {
          const ciphertext = await collect(await blobs.openRead(s.id, a.n))
          attachments.push(openObject({ header: s.header as never, privateKey: key, label: `attachment/${a.n}`, object: ciphertext }))
        }
      }
      out.push({ id: s.id, kid: (s.header as { kid: string }).kid, state: s.state, status: s.status, report, attachments })
    }
    return out
  } finally {
    await repository.close()
  }
}
