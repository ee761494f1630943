/**
 * Starting the WeChat build for a test: the real intake server (as the browser tests start it,
 * free port, temporary data directory), a Device whose domain list points the build's API base at
 * that server, and launches of dist/weapp on it. `closeAll()` kills every app and removes devices.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT, type RunningServer } from '../harness'
import { Device } from './device'
import { MiniProgram, type LaunchSpec } from './runtime'
import { Screen } from './screen'

// The phone is in China: the app's local dates (date pickers, "today") are Beijing time.
process.env.TZ = 'Asia/Shanghai'

export const DIST = process.env.WEAPP_DIST ?? join(ROOT, 'dist', 'weapp')
/** The API base the build was made with (src/platform/api-base.weapp.ts unless TARO_APP_API_BASE). */
export const API_BASE = (process.env.TARO_APP_API_BASE || 'http://127.0.0.1:8080').replace(/\/+$/, '')

const running = new Set<MiniProgram>()
const devices = new Set<Device>()
const copies = new Set<string>()

export function newDevice(server?: RunningServer): Device {
  const device = new Device({ domains: server ? { [API_BASE]: server.url } : {} })
  devices.add(device)
  return device
}

export interface Launched {
  mp: MiniProgram
  screen: Screen
}

export async function launch(device: Device, spec: LaunchSpec = {}, dist = DIST): Promise<Launched> {
  const mp = new MiniProgram(dist, device, spec)
  running.add(mp)
  await mp.launch()
  const screen = new Screen(mp)
  await screen.settle()
  return { mp, screen }
}

/** A scratch copy of the build, for tests that break it on purpose. */
export function copyOfBuild(): string {
  const dir = mkdtempSync(join(tmpdir(), 'weapp-dist-'))
  cpSync(DIST, dir, { recursive: true })
  copies.add(dir)
  return dir
}

export async function closeAll(): Promise<void> {
  for (const mp of running) await mp.kill()
  running.clear()
  for (const d of devices) d.dispose()
  devices.clear()
  for (const c of copies) rmSync(c, { recursive: true, force: true })
  copies.clear()
}
