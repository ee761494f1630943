/**
 * `npm run workstation`: the bureau workstation, a local web app on 127.0.0.1. Prints (and, on a
 * desktop, opens) a URL with a one-time login secret. Options:
 *   --port N            listen port (default 0: any free port)
 *   --idle-minutes M    lock after M minutes without activity (default 15) [WORKSTATION_IDLE_MS for tests]
 *   --config-dir DIR    where the server address and token are kept, and replies not yet sent (sealed)
 *                       (default ~/.config/clue-workstation)
 *   --export-dir DIR    default folder for exports (default ~/扫黑办导出)
 *   --no-open           do not open a browser
 */
import { spawn } from 'node:child_process'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { buildWorkstation } from './server/app'
import { ConnectionStore } from './server/connection'

const ROOT = path.resolve(__dirname, '..', '..')

function openBrowser(url: string): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open'
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return
  try {
    const child = spawn(command, [url], { stdio: 'ignore', detached: true })
    child.on('error', () => undefined)
    child.unref()
  } catch {
    // no browser to open: the printed URL is enough
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    strict: true,
    options: {
      port: { type: 'string' },
      'idle-minutes': { type: 'string' },
      'config-dir': { type: 'string' },
      'export-dir': { type: 'string' },
      'no-open': { type: 'boolean' },
      help: { type: 'boolean' },
    },
  })
  if (values.help) {
    process.stdout.write(`用法 Usage: npm run workstation -- [--port N] [--idle-minutes 15] [--config-dir DIR] [--export-dir DIR] [--no-open]\n`)
    return
  }
  const port = Number(values.port ?? process.env.WORKSTATION_PORT ?? '0')
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('--port 应为 0 到 65535 的整数')
  const idleMs = process.env.WORKSTATION_IDLE_MS ? Number(process.env.WORKSTATION_IDLE_MS) : Number(values['idle-minutes'] ?? '15') * 60_000
  if (!Number.isFinite(idleMs) || idleMs < 100) throw new Error('--idle-minutes 应为正数')
  const configDir = path.resolve(values['config-dir'] ?? process.env.WORKSTATION_CONFIG_DIR ?? path.join(os.homedir(), '.config', 'clue-workstation'))
  const exportDir = path.resolve(values['export-dir'] ?? path.join(os.homedir(), '扫黑办导出'))
  process.umask(0o077)
  const ws = await buildWorkstation({ webDir: process.env.WORKSTATION_WEB_DIR ?? path.join(ROOT, 'dist', 'workstation'), connection: new ConnectionStore(configDir), idleMs, exportDir, stateDir: configDir })
  await ws.app.listen({ host: '127.0.0.1', port })
  const address = ws.app.server.address()
  const actual = typeof address === 'object' && address ? address.port : port
  ws.setPort(actual)
  const url = `http://127.0.0.1:${actual}/login?s=${ws.loginSecret}`
  process.stdout.write(
    `\n扫黑办工作站已启动（只在本机 127.0.0.1 上可访问）。\n` +
      `请用浏览器打开下面的链接（只能使用一次；请勿复制给他人）：\n\n  ${url}\n\n` +
      `Bureau workstation ready: ${url}\n` +
      `空闲 ${Math.round(idleMs / 60000) || idleMs / 60000} 分钟后自动锁定。按 Ctrl+C 退出（退出时内存中的私钥和解密内容随之清除）。\n\n`,
  )
  if (!values['no-open']) openBrowser(url)
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      ws.vault.lock()
      ws.app.close().finally(() => process.exit(0))
    })
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`工作站无法启动：${(e as Error)?.message ?? String(e)}\n`)
  process.exit(2)
})
