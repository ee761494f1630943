/** `npm run bureau -- …` as staff run it, for the browser and WeChat tests: the development key, its passphrase from the environment. */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { DEV_KEY_FILE, DEV_KEY_PASSPHRASE } from '../server/src/envelope/dev-key'
import { ROOT } from './harness'

export { DEV_KEY_FILE }

export async function bureau(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bureau', 'cli.ts'), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', BUREAU_KEY_PASSPHRASE: DEV_KEY_PASSPHRASE } as unknown as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d))
  child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d))
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  return { code, output }
}

/** The resident messages the server holds for a case: state and number of files (no plaintext: there is none). */
export async function residentMessages(dataDir: string, caseId: string): Promise<{ state: string; files: number }[]> {
  const { SqliteRepository } = await import('../server/src/repository')
  const repo = SqliteRepository.open(dataDir)
  try {
    return (await repo.cases.listMessages(caseId, Date.now())).filter((m) => m.from === 'resident').map((m) => ({ state: m.state, files: m.attachments.length }))
  } finally {
    await repo.close()
  }
}
