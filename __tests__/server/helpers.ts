/**
 * Test helpers for the intake server: a temporary data directory and campaign, the real server
 * started as a child process (`node --import tsx server/src/main.ts`) on a free port, a small
 * HTTP client over node:http, and envelopes made by the client crypto code (v2) or node:crypto (v1).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { attachmentLabel, createEnvelope, crc32Hex, REPORT_LABEL, sealObject, utf8Encode, type AnyEnvelopeHeader } from '@/crypto'
import { createEnvelopeV1, encryptObjectV1 } from '../support/envelope-v1'
import { generateBureauKeyPair, openObject, type BureauKeyPair } from '../../server/src/envelope'
import { formatKeyList, generateSigningKeyPair, signKeyList, type KeyListEntry, type SigningKeyPair } from '../../server/src/keylist'

export const ROOT = path.resolve(__dirname, '..', '..')
const BASE_CAMPAIGN = JSON.parse(fs.readFileSync(path.join(ROOT, 'campaign', 'campaign.json'), 'utf8'))

/** A fresh bureau key pair (tests do not depend on the repository's development key). */
export function makeBureauKey(): BureauKeyPair {
  return generateBureauKeyPair()
}

export interface TestEnv {
  dir: string
  dataDir: string
  campaignFile: string
  /** The signed key list beside the campaign file (the server's default --keys). */
  keysFile: string
  h5Dir: string
  key: BureauKeyPair
  /** The bureau's signing key of this environment: the campaign's "signingKey". */
  signing: SigningKeyPair
  cleanup(): void
}

/** The key list entry of a key pair. */
export function entryOf(key: BureauKeyPair, current: boolean): KeyListEntry {
  return { kid: key.kid, publicKey: Buffer.from(key.publicKey).toString('base64'), current }
}

/** Writes `keys` as a key list signed by `signing` (as `npm run bureau -- sign-keys` would). */
export function writeSignedKeyList(file: string, signing: SigningKeyPair, sequence: number, keys: KeyListEntry[]): void {
  fs.writeFileSync(file, formatKeyList(signKeyList({ sequence, issuedAt: '2024-05-20T08:00:00Z', keys }, signing)))
}

/**
 * A temporary directory with data/, a campaign file listing a fresh key and a fresh signing key,
 * the key list signed by it (sequence 1) beside it, and a stub H5 build.
 */
export function makeTestEnv(campaignPatch: (c: Record<string, any>) => void = () => {}, key: BureauKeyPair = makeBureauKey()): TestEnv {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clue-server-'))
  const signing = generateSigningKeyPair()
  const campaign = structuredClone(BASE_CAMPAIGN)
  campaign.campaign.acceptAfterEnd = true
  campaign.signingKey = { kid: signing.kid, publicKey: signing.publicKey.toString('base64') }
  campaign.keys = [entryOf(key, true)]
  campaignPatch(campaign)
  const campaignFile = path.join(dir, 'campaign.json')
  fs.writeFileSync(campaignFile, JSON.stringify(campaign, null, 2))
  const keysFile = path.join(dir, 'keys.signed.json')
  writeSignedKeyList(keysFile, signing, 1, campaign.keys)
  const h5Dir = path.join(dir, 'h5')
  fs.mkdirSync(path.join(h5Dir, 'js'), { recursive: true })
  fs.writeFileSync(path.join(h5Dir, 'index.html'), '<!doctype html><title>h5-stub</title><div id="app"></div>')
  fs.writeFileSync(path.join(h5Dir, 'js', 'app.0123abcd.js'), 'console.log("stub")')
  return {
    dir,
    dataDir: path.join(dir, 'data'),
    campaignFile,
    keysFile,
    h5Dir,
    key,
    signing,
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  }
}

/** A minimal environment for the child (nothing from the test run leaks in, e.g. NODE_ENV=test). */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', BUREAU_PORT: '0', ...extra } as unknown as NodeJS.ProcessEnv
}

export interface RunningServer {
  url: string
  port: number
  /** The bureau API's listener (BUREAU_PORT=0 by default here), or undefined when off. */
  bureauUrl?: string
  child: ChildProcess
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>
}

export interface StartOptions {
  env?: Record<string, string>
  args?: string[]
}

/** Every server process started here; any still running when the test process exits is killed. */
const children = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
})

/** Starts the real server on a free port (--port 0) and resolves once it printed its URL. */
export function startServer(env: TestEnv, options: StartOptions = {}): Promise<RunningServer> {
  const child = spawn(
    process.execPath,
    [
      '--import', 'tsx', path.join(ROOT, 'server', 'src', 'main.ts'),
      '--port', '0', '--data', env.dataDir, '--campaign', env.campaignFile, '--h5', env.h5Dir,
      ...(options.args ?? []),
    ],
    {
      cwd: ROOT,
      env: childEnv({ STATUS_MIN_MS: '50', ...options.env }),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  children.add(child)
  let out = ''
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d))
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d))
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      children.delete(child)
      resolve()
    }),
  )
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`server did not start in time:\n${out}`))
    }, 60000) // ~2 s on a quiet machine, over 25 s seen at load 20
    const onData = () => {
      const m = /server ready: (http:\/\/127\.0\.0\.1:(\d+)\/)/.exec(out)
      if (!m) return
      clearTimeout(timer)
      child.stdout!.off('data', onData)
      const b = /Bureau API: (https?:\/\/127\.0\.0\.1:\d+)\//.exec(out)
      resolve({
        url: m[1].replace(/\/$/, ''),
        port: Number(m[2]),
        bureauUrl: b?.[1],
        child,
        output: () => out,
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
          await exited
        },
        kill: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
          await exited
        },
      })
    }
    child.stdout!.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`server exited with ${code} before it was ready:\n${out}`))
    })
  })
}

/** Runs main.ts to completion (for configuration errors) and returns its exit code and output. */
export function runMain(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server', 'src', 'main.ts'), ...args], {
    cwd: ROOT,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d))
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 15000)
    child.once('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, output: out })
    })
  })
}

export interface HttpResponse {
  status: number
  headers: http.IncomingHttpHeaders
  text: string
  /** Parsed JSON body (undefined when not JSON). */
  json: any
}

export interface RequestOptions {
  method?: string
  headers?: Record<string, string | number>
  /** A JS value is sent as JSON; a string or Buffer as is. */
  body?: unknown
  localAddress?: string
}

const agent = new http.Agent({ keepAlive: false })

/** One HTTP request; never rejects on HTTP errors (only on connection failures). */
export function request(base: string, urlPath: string, options: RequestOptions = {}): Promise<HttpResponse> {
  const url = new URL(urlPath, base)
  let payload: Buffer | undefined
  const headers: Record<string, string | number> = { ...(options.headers ?? {}) }
  if (options.body !== undefined) {
    if (Buffer.isBuffer(options.body) || options.body instanceof Uint8Array) {
      payload = Buffer.from(options.body as Uint8Array)
    } else if (typeof options.body === 'string') {
      payload = Buffer.from(options.body)
    } else {
      payload = Buffer.from(JSON.stringify(options.body))
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json'
    }
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) headers['content-length'] = payload.length
  }
  return new Promise((resolve, reject) => {
    // The server may answer (413, 415, …) before the body is all sent and then close: a write error
    // after the answer began is expected, and the answer that arrived is what the test reads.
    let answered = false
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method: options.method ?? 'GET', headers, agent, localAddress: options.localAddress },
      (res) => {
        answered = true
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('close', () => {
          if (!res.complete) reject(new Error(`${options.method ?? 'GET'} ${urlPath}: the answer was cut off`))
        })
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          let json: unknown
          try {
            json = text ? JSON.parse(text) : undefined
          } catch {
            json = undefined
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json })
        })
        res.on('error', reject)
      },
    )
    req.on('error', (err) => {
      if (!answered) reject(err)
    })
    if (payload) req.write(payload)
    req.end()
  })
}

/** A random idempotency key (base64url of 16 bytes = 22 chars). */
export function idempotencyKey(): string {
  return randomBytes(16).toString('base64url')
}

/** 16 random digits, as the client draws its receipt. */
export function receipt(): string {
  let s = ''
  while (s.length < 16) {
    const b = randomBytes(1)[0]
    if (b < 250) s += String(b % 10)
  }
  return s
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

export interface Sealed {
  header: AnyEnvelopeHeader
  report: Uint8Array
  attachments: Uint8Array[]
  reportPlaintext: Uint8Array
  attachmentPlaintexts: Uint8Array[]
}

/**
 * Encrypts a report object and attachments to `key`: envelope v2 with the client crypto code (what
 * phones send), or v1 with node:crypto (a report queued before the update).
 */
export function seal(key: BureauKeyPair, report: unknown, attachmentPlaintexts: Uint8Array[] = [], version: 1 | 2 = 2): Sealed {
  const reportPlaintext = utf8Encode(JSON.stringify(report))
  const secret = new Uint8Array(randomBytes(32))
  if (version === 1) {
    const v1 = createEnvelopeV1({ bureauPublicKey: new Uint8Array(key.publicKey), ephemeralSecret: secret })
    return {
      header: v1.header,
      report: encryptObjectV1(v1.keysFor(REPORT_LABEL), new Uint8Array(randomBytes(16)), reportPlaintext),
      attachments: attachmentPlaintexts.map((p, n) => encryptObjectV1(v1.keysFor(attachmentLabel(n)), new Uint8Array(randomBytes(16)), p)),
      reportPlaintext,
      attachmentPlaintexts,
    }
  }
  const envelope = createEnvelope({ bureauPublicKey: new Uint8Array(key.publicKey), ephemeralSecret: secret, expectedKid: key.kid })
  const sealOne = (label: string, plaintext: Uint8Array) => {
    const nonce = new Uint8Array(randomBytes(16))
    return sealObject(envelope.objectKey(label, nonce), nonce, plaintext).bytes
  }
  return {
    header: envelope.header,
    report: sealOne(REPORT_LABEL, reportPlaintext),
    attachments: attachmentPlaintexts.map((p, n) => sealOne(attachmentLabel(n), p)),
    reportPlaintext,
    attachmentPlaintexts,
  }
}

/** Opens stored objects with the Node decryptor (server/src/envelope). */
export function openStored(key: BureauKeyPair, header: unknown, report: Uint8Array, attachments: Uint8Array[]) {
  const h = header as Parameters<typeof openObject>[0]['header']
  return {
    report: openObject({ header: h, privateKey: key, label: REPORT_LABEL, object: report }),
    attachments: attachments.map((object, n) => openObject({ header: h, privateKey: key, label: attachmentLabel(n), object })),
  }
}

/** The POST /api/v1/submissions body for a sealed report. */
export function submissionBody(sealed: Sealed, key = idempotencyKey(), branch?: string) {
  return {
    ...(branch !== undefined ? { branch } : {}),
    idempotencyKey: key,
    header: { ...sealed.header },
    report: Buffer.from(sealed.report).toString('base64'),
    attachments: sealed.attachments.map((a) => (sealed.header.v === 1 ? { size: a.length, sha256: sha256Hex(a) } : { size: a.length, crc32: crc32Hex(a) })),
  }
}

/** Uploads `bytes` as attachment n in chunks from `from`, checking each answer. */
export async function upload(base: string, id: string, n: number, bytes: Uint8Array, chunk = 1024 * 1024, from = 0): Promise<void> {
  for (let offset = from; offset < bytes.length; offset += chunk) {
    const piece = bytes.subarray(offset, Math.min(bytes.length, offset + chunk))
    const res = await request(base, `/api/v1/submissions/${id}/attachments/${n}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': offset },
      body: Buffer.from(piece),
    })
    if (res.status !== 200) throw new Error(`PUT at ${offset} answered ${res.status} ${res.text}`)
  }
}

/** Sends the head of a PUT body and never the rest; resolves once those bytes are on the wire. */
export function startPartialPut(base: string, path: string, offset: number, chunk: Uint8Array, sendBytes: number, headers: Record<string, string> = {}): Promise<void> {
  return new Promise((resolve) => {
    const url = new URL(path, base)
    const req = http.request({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'PUT',
      headers: { ...headers, 'content-type': 'application/offset+octet-stream', 'upload-offset': offset, 'content-length': chunk.length },
    })
    req.on('error', () => {}) // the server dies under it
    req.write(Buffer.from(chunk.subarray(0, sendBytes)), () => setTimeout(resolve, 100))
  })
}

/** Every file under `dir`, recursively. */
export function filesUnder(dir: string): string[] {
  const out: string[] = []
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name)
    if (entry.isDirectory()) out.push(...filesUnder(p))
    else out.push(p)
  }
  return out
}
