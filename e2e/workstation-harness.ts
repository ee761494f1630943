/**
 * Starts the real bureau workstation (`bureau/workstation/main.ts` as a child process, serving the
 * real Vite build in dist/workstation) on a free port, and reads the one-time login URL it prints.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT, inheritedEnv } from './harness'

export interface RunningWorkstation {
  loginUrl: string
  origin: string
  configDir: string
  exportDir: string
  process: ChildProcess
  output: () => string
  stop: () => Promise<void>
}

export async function startWorkstation(options: { idleMs?: number; configDir?: string } = {}): Promise<RunningWorkstation> {
  const configDir = options.configDir ?? mkdtempSync(join(tmpdir(), 'clue-ws-config-'))
  const exportDir = mkdtempSync(join(tmpdir(), 'clue-ws-export-'))
  let out = ''
  const child = spawn(process.execPath, ['--import', 'tsx', 'bureau/workstation/main.ts', '--port', '0', '--no-open', '--config-dir', configDir, '--export-dir', exportDir], {
    cwd: ROOT,
    env: { ...inheritedEnv(), NODE_ENV: 'test', WORKSTATION_WEB_DIR: join(ROOT, 'dist', 'workstation'), ...(options.idleMs ? { WORKSTATION_IDLE_MS: String(options.idleMs) } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (out += d))
  const deadline = Date.now() + 30000
  let loginUrl: string | undefined
  while (!loginUrl) {
    if (child.exitCode !== null) throw new Error(`workstation exited early (${child.exitCode}):\n${out}`)
    if (Date.now() > deadline) throw new Error(`workstation did not start in 30 s:\n${out}`)
    loginUrl = /http:\/\/127\.0\.0\.1:\d+\/login\?s=[A-Za-z0-9_-]+/.exec(out)?.[0]
    if (!loginUrl) await new Promise((r) => setTimeout(r, 100))
  }
  return {
    loginUrl,
    origin: new URL(loginUrl).origin,
    configDir,
    exportDir,
    process: child,
    output: () => out,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done()
        child.once('exit', () => done())
        child.kill('SIGTERM')
      }),
  }
}
