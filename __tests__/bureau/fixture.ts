/**
 * A data directory made by the real intake server from real encrypted submissions, for the bureau
 * CLI tests: the server runs as a child process, reports are built with the domain code
 * (toReportPlaintext), encrypted with the client crypto (src/crypto, envelope v2) or, for reports made
 * before v2, as envelope v1 with the report@1 schema, and sent over HTTP (create, chunked PUT, finalize). The bureau CLI then runs as a child process too, so exit codes and
 * output are real.
 */
import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { writePrivateKeyFile, type BureauKeyPair } from '../../server/src/envelope'
import { residentKeys } from '../support/case-client'
import { emptyDraft } from '@/domain/draft-model'
import { toReportPlaintext, type ReportAttachmentEntry, type ReportPlaintext } from '@/domain/report-plaintext'
import type { AttachmentLabel, CategoryCode, DraftReport } from '@/domain/types'
import {
  ROOT, makeBureauKey, makeTestEnv, receipt, request, seal, startServer, submissionBody, upload, type RunningServer, type TestEnv,
} from '../server/helpers'

export { ROOT, request }

export const PASSPHRASE = 'correct horse battery staple 正确'

export interface FileSpec {
  name: string
  bytes: Buffer
  label?: AttachmentLabel
  mime?: string
}

export interface ReportSpec {
  category: CategoryCode
  branch: string
  description: string
  links?: string[]
  extra?: Record<string, string>
  party?: Partial<DraftReport['party']>
  reporter?: DraftReport['reporter']
  files?: FileSpec[]
  /** Alters the plaintext after it is built (to play a broken client). */
  tamper?: (report: ReportPlaintext) => void
}

export interface Sent {
  id: string
  receipt: string
  report: ReportPlaintext
  files: FileSpec[]
  key: BureauKeyPair
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

/** The report plaintext: schema report@3 (envelope v2), or report@1 with the files' SHA-256s (v1). */
export function buildReport(spec: ReportSpec, version: 1 | 2 = 2): ReportPlaintext {
  const now = new Date('2024-05-02T03:04:05.000Z')
  const draft: DraftReport = {
    ...emptyDraft(randomBytes(8).toString('hex'), now),
    category: spec.category,
    branch: spec.branch,
    happenedAt: '2024-04-30T21:15',
    description: spec.description,
    links: spec.links ?? [],
    party: { accounts: '', phones: '', websites: '', ...spec.party },
    extra: spec.extra ?? {},
    reporter: spec.reporter ?? { anonymous: true, name: '', mobile: '', idNumber: '' },
    declaration: { truthful: true, liability: true, declaredAt: '2024-05-02T03:10:00.000Z' },
  }
  const files = spec.files ?? []
  draft.attachments = files.map((f, i) => ({ id: `a${i}`, label: f.label ?? '截图', name: f.name, mime: f.mime ?? 'image/png', size: f.bytes.length, ref: `r${i}` }))
  const entries: ReportAttachmentEntry[] = files.map((f, n) => ({ n, label: f.label ?? '截图', name: f.name, mime: f.mime ?? 'image/png', size: f.bytes.length }))
  const report = toReportPlaintext(draft, entries, draft.declaration.declaredAt!)
  if (version === 1) {
    ;(report as { schema: string }).schema = 'clue-report/report@1'
    report.attachments.forEach((a, n) => Object.assign(a, { sha256: sha256(files[n].bytes) }))
  }
  spec.tamper?.(report)
  return report
}

export class Fixture {
  readonly env: TestEnv
  readonly newKey: BureauKeyPair
  readonly oldKey: BureauKeyPair
  readonly newKeyFile: string
  readonly oldKeyFile: string
  server!: RunningServer

  private constructor(env: TestEnv, oldKey: BureauKeyPair) {
    this.env = env
    this.newKey = env.key
    this.oldKey = oldKey
    this.newKeyFile = path.join(env.dir, `bureau-${env.key.kid}.key.json`)
    this.oldKeyFile = path.join(env.dir, `bureau-${oldKey.kid}.key.json`)
  }

  /** A temporary directory, a campaign listing two keys (rotation: old, and new = current), key files, and the server running. */
  static async start(options: { serverEnv?: Record<string, string>; /** A real H5 build to serve (else a stub). */ h5Dir?: string; /** The current bureau key (else a fresh one); the H5 build knows only the development key. */ newKey?: BureauKeyPair } = {}): Promise<Fixture> {
    const oldKey = makeBureauKey()
    const env = makeTestEnv((c) => {
      c.keys.push({ kid: oldKey.kid, publicKey: oldKey.publicKey.toString('base64'), current: false })
    }, options.newKey)
    const fixture = new Fixture(env, oldKey)
    await writePrivateKeyFile(fixture.newKeyFile, fixture.newKey, PASSPHRASE, { scryptLogN: 14 })
    await writePrivateKeyFile(fixture.oldKeyFile, oldKey, PASSPHRASE, { scryptLogN: 14 })
    if (options.h5Dir) env.h5Dir = options.h5Dir
    fixture.server = await startServer(env, { env: options.serverEnv })
    return fixture
  }

  get dataDir(): string {
    return this.env.dataDir
  }

  /** Encrypts and sends a report; finalizes it unless `finalize` is false (then uploads only half of the first file). */
  async send(spec: ReportSpec, options: { key?: BureauKeyPair; finalize?: boolean; version?: 1 | 2; /** A case-channel report: replyKey inside, finalized with the authenticator A. */ caseChannel?: boolean } = {}): Promise<Sent> {
    const key = options.key ?? this.newKey
    const files = spec.files ?? []
    const code = receipt()
    const resident = options.caseChannel ? residentKeys(code) : undefined
    const report = buildReport(spec, options.version)
    if (resident) (report as { replyKey?: string }).replyKey = resident.replyKey
    const sealed = seal(key, report, files.map((f) => new Uint8Array(f.bytes)), options.version)
    const base = this.server.url
    const created = await request(base, '/api/v1/submissions', { method: 'POST', body: submissionBody(sealed, undefined, spec.branch) })
    if (created.status !== 201) throw new Error(`create answered ${created.status} ${created.text}`)
    const id: string = created.json.id
    if (options.finalize === false) {
      if (sealed.attachments.length > 0) await upload(base, id, 0, sealed.attachments[0].subarray(0, 64), 64)
      return { id, receipt: code, report, files, key }
    }
    for (let n = 0; n < sealed.attachments.length; n++) await upload(base, id, n, sealed.attachments[n])
    const fin = await request(base, `/api/v1/submissions/${id}/finalize`, { method: 'POST', body: resident ? { authenticator: resident.auth } : { receipt: code } })
    if (fin.status !== 200) throw new Error(`finalize answered ${fin.status} ${fin.text}`)
    return { id, receipt: code, report, files, key }
  }

  /** The committed blob file of attachment n. */
  blobFile(id: string, n: number): string {
    return path.join(this.dataDir, 'blobs', id.slice(0, 2), id, `${n}.bin`)
  }

  async stop(): Promise<void> {
    await this.server?.stop()
    this.env.cleanup()
  }
}

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
  /** stdout and stderr together. */
  output: string
}

/** Runs `node --import tsx bureau/cli.ts …` with a minimal environment and no terminal. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bureau', 'cli.ts'), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env } as unknown as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`bureau ${args.join(' ')} did not finish:\n${stdout}\n${stderr}`))
    }, 55_000)
    child.once('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr, output: stdout + stderr })
    })
  })
}

/** Every file under `dir` (relative paths), recursively. */
export function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = []
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name
    if (entry.isDirectory()) out.push(...listFiles(path.join(dir, entry.name), rel))
    else out.push(rel)
  }
  return out
}

/**
 * Runs the same dispatcher in this process (no terminal): for the many argument-checking cases,
 * where a child process per case would only add start-up time. Flows and exit codes that matter
 * to staff run as real child processes through runCli.
 */
export async function runInProcess(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const { runCli: dispatch } = await import('../../bureau/cli')
  let stdout = ''
  let stderr = ''
  const code = await dispatch(args, {
    env: env as unknown as NodeJS.ProcessEnv,
    out: (t) => (stdout += t.endsWith('\n') ? t : `${t}\n`),
    err: (t) => (stderr += t.endsWith('\n') ? t : `${t}\n`),
  })
  return { code, stdout, stderr, output: stdout + stderr }
}
